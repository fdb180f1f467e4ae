import AccountsCore
import ArgumentParser
import Foundation

/// Options every subcommand takes: where the database, settings and secrets are.
package struct GlobalOptions: ParsableArguments {
    package init() {}

    @Option(name: .long, help: ArgumentHelp("SQLite database file, or a PostgreSQL URI without a password: postgresql://user@host/dbname, or postgresql: for the PG* environment (default: ./accounts.sqlite3, or ACCOUNTS_DATABASE).", valueName: "path|uri"))
    package var database: String?

    @Option(name: .long, help: ArgumentHelp("Settings file, JSON (default: ACCOUNTS_SETTINGS, else ./settings.json if present, else the package's /etc/accounts/settings.json if present).", valueName: "path"))
    package var settings: String?

    @Option(name: .long, help: ArgumentHelp("Secrets file holding SECRET_KEY (default: ./secrets.json, or ACCOUNTS_SECRETS).", valueName: "path"))
    package var secrets: String?

    @Flag(help: "Use a secrets file that other users can read (refused otherwise: its key forges links).")
    package var allowInsecureSecrets = false

    @Flag(name: [.short, .long], help: "No messages and no summaries: on stderr only errors and warnings, on stdout only the data asked for (a URL, rows, --format json, a dry run's list).")
    package var quiet = false

    /// Settings from file and environment, with these flags on top.
    package func loadSettings() throws -> Settings {
        // A password on the command line is visible to every user of the machine (ps, /proc).
        if let database, case .postgres(let target) = try DatabaseLocation(database), target.containsPassword {
            throw AccountsError(.usage, "--database: a password in the URI would be visible to every user of this machine (ps, /proc); so would an sslpassword or one inside dbname", hint: .passwordNotInURI)
        }
        var loaded = try Settings.load(file: settings, environment: ProcessInfo.processInfo.environment)
        if let database { loaded.database = database }
        if let secrets { loaded.secretsFile = secrets }
        return loaded
    }
}
