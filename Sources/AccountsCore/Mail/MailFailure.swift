/// Why a message did not go out, and whether trying again may help.
public struct MailFailure: Error, Sendable {
    public var error: AccountsError
    /// The server refused this message for good: retrying cannot help.
    public var permanent: Bool
    public var replyCode: Int?

    public init(_ error: AccountsError, permanent: Bool = false, replyCode: Int? = nil) {
        self.error = error
        self.permanent = permanent
        self.replyCode = replyCode
    }

    /// The message's text; one that cannot be rendered (a header that would break the message)
    /// will never go out, so that is permanent.
    static func rendering(_ message: MailMessage) throws(MailFailure) -> String {
        do {
            return try message.rendered()
        } catch {
            throw MailFailure(error, permanent: true)
        }
    }
}
