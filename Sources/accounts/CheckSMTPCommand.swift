import AccountsCore
import ArgumentParser
import Foundation

struct CheckSMTPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-smtp",
        abstract: "Connect to the SMTP server, do TLS and AUTH, and show every step.",
        discussion: """
            What to run first when activation mail does not arrive. Uses the EMAIL_* settings and
            EMAIL_HOST_PASSWORD from the secrets file; the password is never shown. With --to it also
            sends a short test message. Exit codes as for register: 75 try later, 78 wrong
            credentials or settings, 69 server or TLS failure, 65 recipient refused.
            """
    )

    @Option(help: ArgumentHelp("Also send a test message to this address.", valueName: "address"))
    var to: String?

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let context = try CommandContext(global)
        let recipient = try to.map(EmailAddress.normalize)
        let configuration = try context.smtp(try context.secrets())
        let output = Output.standardOutput
        output.line("server: \(configuration.server), security: \(configuration.security.rawValue), timeout: \(configuration.timeout) s")
        let connection = SMTPConnection(configuration: configuration) { line in
            output.line("  " + printable(line, limit: 300))
            output.flush()
        }
        defer { connection.close() }
        do {
            try connection.open()
            output.line("ok: connected\(connection.isEncrypted ? ", encrypted (\(connection.tlsDescription!))" : ", NOT encrypted")"
                + (configuration.username.isEmpty ? ", no AUTH configured" : ", authenticated as \(configuration.username)"))
            if let recipient {
                let message = MailMessage(from: context.settings.defaultFromEmail, to: recipient,
                                          subject: "accounts check-smtp test message",
                                          textBody: "This message was sent by `accounts check-smtp` to test mail delivery.\n",
                                          htmlBody: "<p>This message was sent by <code>accounts check-smtp</code> to test mail delivery.</p>\n")
                let reply = try connection.send(message, from: message.fromAddress, to: recipient)
                output.line("ok: test message accepted for \(recipient): \(reply.code) \(printable(reply.text, limit: 100))")
            }
        } catch let error as SMTPError {
            throw error.accountsError
        }
    }
}
