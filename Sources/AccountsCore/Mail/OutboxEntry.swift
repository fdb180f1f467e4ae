/// Where a mail is in its life. Stored as the raw value in outbox.state.
public enum OutboxState: String, CaseIterable, Sendable {
    /// Waiting to be sent.
    case queued
    /// Taken by a process that is sending it now, or was when it died. Never resent by itself:
    /// the server may have accepted it before the crash (see docs/outbox.md).
    case sending
    /// The server accepted it (250).
    case sent
    /// A 4xx reply, a timeout, or a server or configuration problem: sent again when due.
    case failedTemporary = "failed-temporary"
    /// The server refused this message or recipient for good (5xx after MAIL FROM): not retried.
    case failedPermanent = "failed-permanent"

    /// As an SQL literal, for statements that name a state (a constant of this type, never input).
    var sql: String { "'\(rawValue)'" }
}

/// One row of the outbox: one mail of one kind to one account.
public struct OutboxEntry: Equatable, Sendable {
    public var id: Int64
    public var accountID: Int64
    public var kind: MailKind
    /// The account's user_id now (nil once it is gone).
    public var userID: String?
    public var recipient: String
    public var state: OutboxState
    public var attempts: Int
    public var lastCode: Int?
    public var lastReply: String?
    public var createdAt: UTCDateTime
    public var updatedAt: UTCDateTime
    /// When a queued or failed-temporary mail is due.
    public var nextAttemptAt: UTCDateTime?
    public var sentAt: UTCDateTime?

    public init(id: Int64, accountID: Int64, kind: MailKind, userID: String?, recipient: String, state: OutboxState, attempts: Int,
                lastCode: Int?, lastReply: String?, createdAt: UTCDateTime, updatedAt: UTCDateTime,
                nextAttemptAt: UTCDateTime?, sentAt: UTCDateTime?) {
        self.id = id
        self.accountID = accountID
        self.kind = kind
        self.userID = userID
        self.recipient = recipient
        self.state = state
        self.attempts = attempts
        self.lastCode = lastCode
        self.lastReply = lastReply
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.nextAttemptAt = nextAttemptAt
        self.sentAt = sentAt
    }

    /// A row still `sending` this long after it was taken was interrupted (no send takes this
    /// long: every step is bounded by EMAIL_TIMEOUT): it no longer blocks a new mail.
    public static let interruptedAfter: Int64 = 15 * 60

    /// When a temporary failure after `attempts` tries is tried again: 1, 2, 4 … minutes, at most 6 hours.
    public static func retryDelay(afterAttempts attempts: Int) -> Int64 {
        min(60 << Int64(min(max(attempts - 1, 0), 16)), 6 * 3600)
    }

    /// Where a mail goes after a failed attempt: failed-permanent when the server refused this
    /// message for good, else failed-temporary and due again after `retryDelay`.
    public static func afterFailure(_ failure: MailFailure, attempts: Int, at instant: UTCDateTime) -> (state: OutboxState, nextAttemptAt: UTCDateTime?) {
        failure.permanent ? (.failedPermanent, nil) : (.failedTemporary, instant.adding(seconds: retryDelay(afterAttempts: attempts)))
    }
}
