import AccountsCLI
import AccountsCore
import ArgumentParser
import Foundation

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a deployment, as Django's manage.py check --deploy: settings, secrets, files, the database, mail, serve.",
        discussion: """
            Changes nothing. One line per finding on stdout: its id (stable: accounts.W009 is always \
            the weak SECRET_KEY), its severity (error, warning, info), what is wrong and the fix; a \
            summary on stderr. Exit 0 when there are only warnings and information, 78 when there is \
            an error. --format json gives an array of {id, severity, message, fix}.

            It looks at: the secrets file (there, not readable by others, SECRET_KEY strength), the \
            database (reachable, its schema migrated, a Django-made table adopted, modes and owner of \
            the file and its directory), TIME_ZONE, ACTIVATION_URL (https, answerable by serve, not \
            localhost), DEFAULT_FROM_EMAIL against the relay, SMTP port and mode, cleartext to another \
            machine, the mail directory, serve's TLS files (--tls-cert/--tls-key: readable, fitting, \
            expiry), TRUSTED_PROXIES, the connection cap against the file limit, and the PBKDF2 work \
            factor against DJANGO_VERSION. --smtp also connects to the relay as check-smtp does.
            """
    )

    @Flag(help: "Also connect to the SMTP server (EHLO, TLS, AUTH), as check-smtp does without sending.")
    var smtp = false

    @Option(help: ArgumentHelp("The certificate serve will use (with --tls-key).", valueName: "file"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("The key serve will use (with --tls-cert).", valueName: "file"))
    var tlsKey: String?

    @Option(help: "The --max-connections serve will use.")
    var maxConnections = 512

    @Option(help: "Output: text or json.")
    var format: ResultFormat = .text

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
    }

    func run() throws {
        let findings: [Finding]
        do {
            let settings = try global.loadSettings()
            let check = DeploymentCheck(
                settings: settings,
                serve: .init(tlsCertificate: tlsCert, tlsKey: tlsKey, maximumConnections: maxConnections),
                connectSMTP: smtp ? { configuration in
                    let connection = SMTPConnection(configuration: configuration)
                    defer { connection.close() }
                    do { try connection.open() } catch let error as SMTPError { throw error.accountsError }
                } : nil)
            findings = check.run()
        } catch let error as AccountsError where error.kind == .configuration {
            findings = DeploymentCheck.unreadableSettings(error)
        }
        switch format {
        case .json:
            Output.standardOutput.line("[" + findings.map { finding in
                JSONWriter.object([("id", .string(finding.id)), ("severity", .string(finding.severity.rawValue)),
                                   ("message", .string(finding.message)), ("fix", finding.fix.map { .string($0) } ?? .null)])
            }.joined(separator: ",\n") + "]")
        case .text:
            for finding in findings {
                Output.standardOutput.line(printable("\(finding.id) \(finding.severity.rawValue): \(finding.message)" + (finding.fix.map { "; fix: \($0)" } ?? ""),
                                                     limit: 2000))
            }
        }
        let count = { (severity: Finding.Severity) in findings.filter { $0.severity == severity }.count }
        let errors = count(.error)
        if !global.quiet {
            StandardError.write("accounts check: \(errors) error\(errors == 1 ? "" : "s"), \(count(.warning)) warning\(count(.warning) == 1 ? "" : "s"), \(count(.info)) note\(count(.info) == 1 ? "" : "s")\n")
        }
        Output.standardOutput.flush()
        if errors > 0 { throw ExitCode(78) }
    }
}
