/// The outbox (docs/outbox.md): mails as rows of a kind, each taken once, and the claims that
/// queue an activation mail. (Errors and auditing: `AccountStore`.)
public protocol OutboxStore: Sendable {
    /// Atomically takes the right to mail `id` now: sets activation_sent_at to `instant` and
    /// queues an activation mail in the outbox, if the account as read inside the transaction is
    /// still `eligible` (the workflow's rule) and no activation mail went to its address at or
    /// after `notBefore`. Returns the previous activation_sent_at and the queued mail, or
    /// `.refused(user)`. With `request` (a visitor asked), also `.overLimit(user)` once the
    /// account has had `request.limit` requests, and else the request's audit entry.
    func claimActivationMail(id: Int64, ifStill eligible: (User) -> Bool, at instant: UTCDateTime,
                             notSentSince notBefore: UTCDateTime?, request: LinkRequestRecord?) throws -> MailClaim

    /// Undoes a claim whose mail could not be sent, unless something newer happened since.
    func releaseActivationMail(id: Int64, claimedAt instant: UTCDateTime, previous: UTCDateTime?) throws

    /// `send-activation --pending`: in one transaction, claims a mail (as `claimActivationMail`)
    /// for every account never activated whose last mail went out before `notSentSince` (or
    /// never; nil: whenever) and that has none being sent, queuing it or reusing one waiting for
    /// a retry. Returns the claims, each with the account's activation_sent_at before it.
    func claimPendingMails(notSentSince: UTCDateTime?, at instant: UTCDateTime) throws -> [PendingMailClaim]

    /// Queues a mail of `kind` to `user`, due at once.
    func enqueueMail(_ kind: MailKind, for user: User, at instant: UTCDateTime) throws -> OutboxEntry

    /// One outbox row, with the user_id of its account now.
    func outboxEntry(id: Int64) throws -> OutboxEntry?

    /// Takes a queued or failed-temporary mail for sending (state `sending`, one more attempt).
    /// Returns nil when it is no longer there to take: another process took it, or it went out.
    func beginSending(_ entry: OutboxEntry, at instant: UTCDateTime) throws -> OutboxEntry?

    /// The server accepted a taken mail: records it as sent, with what its flow's `record` says
    /// (the audit entry, and the account's activation_sent_at if it is stamped).
    func finishSending(_ entry: OutboxEntry, for user: User, at instant: UTCDateTime, receipt: MailReceipt, record: MailRecord) throws

    /// A taken mail failed: it goes to `state` (due again at `nextAttemptAt`), with the
    /// failure's reply and the audit entry of `record`. (`OutboxEntry.afterFailure` decides where.)
    func failSending(_ entry: OutboxEntry, for user: User, at instant: UTCDateTime, failure: MailFailure,
                     state: OutboxState, nextAttemptAt: UTCDateTime?, record: MailRecord) throws

    /// Gives up on a mail its flow says is no longer due (failed-permanent, not audited: the
    /// account did not change).
    func abandonMail(_ entry: OutboxEntry, at instant: UTCDateTime, reason: String) throws

    /// Makes queued mails (never tried) due no sooner than `until`: the relay said "not now".
    func deferMail(_ ids: [Int64], until: UTCDateTime) throws

    /// How many queued or failed-temporary mails are not due yet at `instant`, and when the
    /// first of them is.
    func mailNotYetDue(at instant: UTCDateTime) throws -> (count: Int, next: UTCDateTime?)

    /// The account's newest mail of `kind` to its address that is queued, waiting for a retry,
    /// or being sent (taken at or after `inFlightSince`; one taken earlier was interrupted and
    /// does not count).
    func pendingMail(_ kind: MailKind, for user: User, inFlightSince: UTCDateTime) throws -> OutboxEntry?

    /// Queued and failed-temporary mail whose time has come (all of it with `includingNotYetDue`).
    func dueMail(at instant: UTCDateTime, includingNotYetDue: Bool) throws -> [OutboxEntry]

    /// Calls `body` for each outbox row (in `state`, or all), oldest first; `limit`: the newest n.
    func forEachOutboxEntry(state: OutboxState?, limit: Int?, _ body: (OutboxEntry) throws -> Void) throws

    /// The account's newest outbox row.
    func latestMail(forAccount id: Int64) throws -> OutboxEntry?
}

extension OutboxStore {
    /// The operator's claim: no request limit.
    public func claimActivationMail(id: Int64, ifStill eligible: (User) -> Bool, at instant: UTCDateTime,
                                    notSentSince notBefore: UTCDateTime?) throws -> MailClaim {
        try claimActivationMail(id: id, ifStill: eligible, at: instant, notSentSince: notBefore, request: nil)
    }
}
