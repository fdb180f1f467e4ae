public enum MailClaim: Equatable, Sendable {
    case claimed(previous: UTCDateTime?, mail: OutboxEntry)
    /// Active, not never-activated, or within the cooldown.
    case refused(User)
    /// A visitor's request (`LinkRequestRecord`) when the account has had `limit` already.
    case overLimit(User)
}

/// A mail claimed because a visitor asked for a new link on `serve`'s page, not the operator: at
/// most `limit` such requests per account, each recorded in the audit log (`request-activation`)
/// in the claim's transaction, so the count survives restarts and holds across hosts.
public struct LinkRequestRecord: Equatable, Sendable {
    public var limit: Int
    public var detail: String

    public init(limit: Int, detail: String) {
        self.limit = limit
        self.detail = detail
    }
}

/// One mail claimed by `claimPendingMails`.
public struct PendingMailClaim: Equatable, Sendable {
    public var mailID: Int64
    public var accountID: Int64
    /// The account's activation_sent_at before the claim, to give the cooldown back on failure.
    public var previous: UTCDateTime?

    public init(mailID: Int64, accountID: Int64, previous: UTCDateTime?) {
        self.mailID = mailID
        self.accountID = accountID
        self.previous = previous
    }
}
