import AccountsCore
import Foundation

/// What a subcommand needs, built from settings: the store, secrets, tokens and mail.
/// Each piece is built only when asked for, so `list` works without a secrets file.
package struct CommandContext: Sendable {
    package let settings: Settings
    /// ACTIVATION_URL, read once (`LinkTemplate`).
    package let linkTemplate: LinkTemplate
    package let quiet: Bool
    package let allowInsecureSecrets: Bool

    package init(_ options: GlobalOptions, mail: MailOptions? = nil) throws {
        var settings = try options.loadSettings()
        try mail?.apply(to: &settings)
        self.settings = settings
        self.linkTemplate = try settings.linkTemplate()
        self.quiet = options.quiet
        self.allowInsecureSecrets = options.allowInsecureSecrets
    }

    package func info(_ message: String) {
        Output.info(message, quiet: quiet)
    }

    /// The SQLite file or PostgreSQL database of --database (DATABASE). A PostgreSQL password
    /// comes from libpq's own sources, or DATABASE_PASSWORD in the secrets file when it exists.
    /// `statementTimeout`: seconds, DATABASE_STATEMENT_TIMEOUT unless given (0: no bound).
    package func store(create: Bool = false, statementTimeout: Int64? = nil) throws -> AccountStore {
        let seconds = statementTimeout ?? settings.databaseStatementTimeout
        return try Stores.open(try DatabaseLocation(settings.database), create: create,
                               statementTimeout: seconds > 0 ? .seconds(seconds) : nil) {
            TrustedFile.exists(settings.secretsFile) ? try secrets().databasePassword : nil
        }
    }

    package func secrets() throws -> Secrets {
        let secrets = try Secrets.load(path: settings.secretsFile, allowInsecure: allowInsecureSecrets)
        secrets.warnings.forEach(Warnings.once)
        return secrets
    }

    /// When links expire and which accounts are expired: PASSWORD_RESET_TIMEOUT (or `timeout`)
    /// in TIME_ZONE's token clock.
    package func window(timeout: Int64? = nil) -> ActivationWindow {
        ActivationWindow(timeout: timeout ?? settings.passwordResetTimeout, timeZone: settings.timeZone)
    }

    /// Django's pbkdf2_sha256 at the work factor of the site's Django (PBKDF2_ITERATIONS, or
    /// DJANGO_VERSION's).
    package func hasher() -> PasswordHasher {
        PasswordHasher(iterations: settings.passwordIterations)
    }

    package func tokens(_ secrets: Secrets) -> TokenGenerator {
        TokenGenerator(secretKey: secrets.secretKey, fallbacks: secrets.secretKeyFallbacks, window: window())
    }

    package func smtp(_ secrets: Secrets) throws -> SMTPConfiguration {
        try SMTPConfiguration(settings: settings, password: secrets.emailHostPassword)
    }

    package func links(_ tokens: TokenGenerator) -> ActivationLinks {
        ActivationLinks(tokens: tokens, template: linkTemplate)
    }

    /// EMAIL_BACKEND's. With `session`, an SMTP backend keeps its connection for the next
    /// message (bulk sending).
    package func mailBackend(_ secrets: Secrets, session: Bool = false) throws -> MailBackend {
        switch settings.resolvedEmailBackend {
        case .file: FileMailBackend(directory: settings.emailFilePath)
        case .console: ConsoleMailBackend()
        case .smtp: SMTPMailBackend(configuration: try smtp(secrets), keepsConnection: session)
        }
    }

    /// The activation mail, for the commands of that flow.
    package func mail(_ secrets: Secrets, session: Bool = false) throws -> ActivationMail {
        try ActivationMailFlow(flowParts(secrets, session: session)).mail
    }

    /// One of each flow that mails (`Flows`), over one backend.
    package func mailFlows(_ secrets: Secrets, session: Bool = false) throws -> [any MailFlow] {
        try Flows.mailFlows(flowParts(secrets, session: session))
    }

    private func flowParts(_ secrets: Secrets, session: Bool) throws -> FlowParts {
        FlowParts(settings: settings, tokens: tokens(secrets), backend: try mailBackend(secrets, session: session))
    }
}
