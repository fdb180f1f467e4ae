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

/// Options of the commands that mail activation links.
struct MailOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Where mail goes: file (into EMAIL_FILE_PATH, default ./outbox), console (stderr) or smtp.", valueName: "backend"))
    var emailBackend: String?

    @Option(name: .long, help: ArgumentHelp("Directory of the mail templates (default: the copy built in).", valueName: "dir"))
    var templates: String?

    @Option(name: .long, help: ArgumentHelp("Activation URL with {uid} and {token}, e.g. https://example.com/users/activate/{uid}/{token}/", valueName: "url"))
    var activationURL: String?

    func apply(to settings: inout Settings) throws {
        if let emailBackend {
            guard let kind = MailBackendKind(setting: emailBackend) else {
                throw AccountsError(.usage, "--email-backend must be file, console or smtp, not '\(printable(emailBackend))'")
            }
            settings.emailBackend = kind
        }
        if let templates { settings.templatesDir = templates }
        if let activationURL { settings.activationURL = activationURL }
        try settings.validate()
    }
}
