import AccountsCLI
import AccountsCore
import ArgumentParser
import Foundation

struct CheckSMTPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-smtp",
        abstract: "Connect to the SMTP server, do TLS and AUTH, and show every step.",
        discussion: """
            What to run first when activation mail does not arrive. Uses the EMAIL_* settings and \
            EMAIL_HOST_PASSWORD from the secrets file; the password is never shown. With --to it also \
            sends a short test message. The conversation goes to stderr (-q: only errors); stdout has \
            nothing, or with --format json what was found. Exit codes as for register: 75 try later, 78 \
            wrong credentials or settings, 69 server or TLS failure, 65 recipient refused.
            """
    )

    @Option(help: ArgumentHelp("Also send a test message to this address.", valueName: "address"))
    var to: String?

    @Option(help: "Output: text (the conversation on stderr, nothing on stdout) or json (also a summary on stdout).")
    var format: ResultFormat = .text

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let context = try CommandContext(global)
        let recipient = try to.map(EmailAddress.normalize)
        let configuration = try context.smtp(try context.secrets())
        context.info("server: \(configuration.server), security: \(configuration.security.rawValue), timeout: \(configuration.timeout) s")
        let connection = SMTPConnection(configuration: configuration) { line in
            context.info("  " + printable(line, limit: 300))
        }
        defer { connection.close() }
        var accepted: SMTPReply?
        do {
            try connection.open()
            context.info("ok: connected\(connection.isEncrypted ? ", encrypted (\(connection.tlsDescription!))" : ", NOT encrypted")"
                + (configuration.username.isEmpty ? ", no AUTH configured" : ", authenticated as \(configuration.username)"))
            if let recipient {
                let message = MailMessage(from: context.settings.defaultFromEmail, to: recipient,
                                          subject: "accounts check-smtp test message",
                                          textBody: "This message was sent by `accounts check-smtp` to test mail delivery.\n",
                                          htmlBody: "<p>This message was sent by <code>accounts check-smtp</code> to test mail delivery.</p>\n")
                let reply = try connection.send(message, from: message.fromAddress, to: recipient)
                accepted = reply
                context.info("ok: test message accepted for \(recipient): \(reply.code) \(printable(reply.text, limit: 100))")
            }
        } catch let error as SMTPError {
            throw error.accountsError
        }
        if format == .json {
            Output.standardOutput.line(JSONWriter.object([
                ("server", .string(configuration.server)),
                ("security", .string(configuration.security.rawValue)),
                ("ehlo_name", .string(connection.ehloName)),
                ("tls", connection.tlsDescription.map { .string($0) } ?? .null),
                ("authenticated_as", configuration.username.isEmpty ? .null : .string(configuration.username)),
                ("extensions", .string(connection.capabilities.keys.sorted().joined(separator: " "))),
                ("test_message_to", recipient.map { .string($0) } ?? .null),
                ("test_message_reply", accepted.map { .string("\($0.code) \($0.text)") } ?? .null),
            ]))
        }
    }
}
