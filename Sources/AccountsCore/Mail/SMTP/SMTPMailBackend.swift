/// Delivers messages over SMTP. With `keepsConnection` (bulk sending: one backend per delivery
/// worker) the connection stays open for the next message; otherwise it is
/// closed (QUIT) after each. Any failure closes it; the next message opens a new one. Not for use
/// from two threads at once.
public final class SMTPMailBackend: MailBackend {
    public let configuration: SMTPConfiguration
    public let keepsConnection: Bool
    private var connection: SMTPConnection?

    public init(configuration: SMTPConfiguration, keepsConnection: Bool = false) {
        self.configuration = configuration
        self.keepsConnection = keepsConnection
    }

    deinit { close() }

    /// A connection is open and was usable when last used.
    public var isConnected: Bool { connection != nil }

    public func send(_ message: MailMessage) throws(MailFailure) -> MailReceipt {
        defer { if !keepsConnection { close() } }
        do {
            if connection == nil {
                // Kept before it is opened, so that a failure halfway (a refused AUTH) still ends
                // with QUIT rather than a lost connection.
                connection = SMTPConnection(configuration: configuration)
                try connection!.open()
            }
            let reply = try connection!.send(message, from: message.fromAddress, to: message.to)
            return MailReceipt(destination: "\(configuration.server) (\(reply.code) \(printable(reply.text, limit: 60)))",
                               replyCode: reply.code, replyText: reply.text)
        } catch let error as SMTPError {
            close()
            throw error.mailFailure
        } catch {
            // The conversation fails only with SMTPError; anything else is a fault of ours.
            close()
            throw MailFailure(AccountsError(.unavailable, "SMTP with \(configuration.server) failed: \(error)"))
        }
    }

    public func close() {
        connection?.close()
        connection = nil
    }
}
