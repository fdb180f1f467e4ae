/// Django's console backend: the message on standard error, so standard output stays data.
public struct ConsoleMailBackend: MailBackend {
    public init() {}

    public func send(_ message: MailMessage) throws(MailFailure) -> MailReceipt {
        let content = try MailFailure.rendering(message)
        StandardError.write(content.replacingOccurrences(of: "\r\n", with: "\n") + "\n")
        return MailReceipt(destination: "standard error")
    }
}
