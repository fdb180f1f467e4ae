/// What an outbox row is for. The flow that queues a kind of mail owns it (`MailFlow`): its
/// templates, whether it is still due when its turn comes, and what is recorded when it goes.
/// Stored as outbox.kind; rows from before kinds existed, and exports without the field, are
/// activation mails.
public struct MailKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    /// The link to activate a new account.
    public static let activation = MailKind(rawValue: "activation")

    /// As an SQL literal, for statements that name a kind (a constant of this type, never input:
    /// a well-formed name has no quote).
    var sql: String {
        precondition(isWellFormed, "mail kind \(rawValue) is not well formed")
        return "'\(rawValue)'"
    }

    /// A kind's name is also the start of its template files' names and a metrics label: short,
    /// lowercase ASCII letters and hyphens.
    public var isWellFormed: Bool {
        !rawValue.isEmpty && rawValue.utf8.count <= 32
            && rawValue.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || $0 == UInt8(ascii: "-") }
    }
}
