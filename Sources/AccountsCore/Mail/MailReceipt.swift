/// What a mail backend reports when a message went out.
public struct MailReceipt: Sendable {
    /// Where it went, for the operator: a file, standard error, or the server and its reply.
    public var destination: String
    /// The server's final reply, for SMTP.
    public var replyCode: Int?
    public var replyText: String?

    public init(destination: String, replyCode: Int? = nil, replyText: String? = nil) {
        self.destination = destination
        self.replyCode = replyCode
        self.replyText = replyText
    }
}
