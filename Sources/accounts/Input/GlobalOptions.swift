import AccountsCore
import ArgumentParser
import Foundation

/// Options every subcommand takes: where the database, settings and secrets are.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("SQLite database file (default: ./accounts.sqlite3, or ACCOUNTS_DATABASE).", valueName: "path"))
    var database: String?

    @Option(name: .long, help: ArgumentHelp("Settings file, JSON (default: ./settings.json if present, or ACCOUNTS_SETTINGS).", valueName: "path"))
    var settings: String?

    @Option(name: .long, help: ArgumentHelp("Secrets file holding SECRET_KEY (default: ./secrets.json, or ACCOUNTS_SECRETS).", valueName: "path"))
    var secrets: String?

    @Flag(help: "Use a secrets file that other users can read (refused otherwise: its key forges links).")
    var allowInsecureSecrets = false

    @Flag(name: [.short, .long], help: "Print nothing on stderr but errors and warnings.")
    var quiet = false

    /// Settings from file and environment, with these flags on top.
    func loadSettings() throws -> Settings {
        var loaded = try Settings.load(file: settings, environment: ProcessInfo.processInfo.environment)
        if let database { loaded.database = database }
        if let secrets { loaded.secretsFile = secrets }
        return loaded
    }
}
