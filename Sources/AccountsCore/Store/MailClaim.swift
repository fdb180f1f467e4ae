public enum MailClaim: Equatable, Sendable {
    case claimed(previous: UTCDateTime?, mail: OutboxEntry)
    case refused(User)
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
