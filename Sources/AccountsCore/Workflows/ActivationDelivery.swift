/// Sends one activation mail from the outbox, at most once: takes the row (state `sending`) in
/// its own transaction, makes a fresh link, sends, then records the outcome. A crash after the
/// server's 250 and before the record leaves the row `sending`, and it is not sent again.
public struct ActivationDelivery {
    let store: AccountStore
    let links: ActivationLinks
    let mail: ActivationMail

    public init(store: AccountStore, links: ActivationLinks, mail: ActivationMail) {
        self.store = store
        self.links = links
        self.mail = mail
    }

    public enum Result: Sendable {
        /// Sent: the account as mailed, the link in the mail, where it went.
        case sent(RegisterWorkflow.Outcome)
        case failed(MailFailure)
        /// Not ours to send: another process took it first, or it already went out.
        case notTaken
    }

    /// One mail of a queue, looked up now: the row, its account as it is now, and what happened.
    public struct Attempt: Sendable {
        public enum Outcome: Sendable {
            case delivery(Result)
            /// Not sent and never will be: the account is gone, was activated, or has another address.
            case abandoned(reason: String)
        }

        public var entry: OutboxEntry?
        public var user: User?
        public var outcome: Outcome
    }

    /// Sends outbox row `mailID` if it should still go out (see `verdict`); marks it failed for
    /// good, without sending, if it should not.
    public func deliver(mailID: Int64, at instant: UTCDateTime = .now()) throws -> Attempt {
        guard let entry = try store.outboxEntry(id: mailID) else { return Attempt(entry: nil, user: nil, outcome: .delivery(.notTaken)) }
        guard entry.state == .queued || entry.state == .failedTemporary else { return Attempt(entry: entry, user: nil, outcome: .delivery(.notTaken)) }
        let user = try store.user(id: entry.accountID)
        switch Self.verdict(entry, user) {
        case .abandon(let reason):
            try store.abandonMail(entry, at: instant, reason: reason)
            return Attempt(entry: entry, user: user, outcome: .abandoned(reason: reason))
        case .send(let user):
            return Attempt(entry: entry, user: user, outcome: .delivery(try deliver(entry, to: user, at: instant)))
        }
    }

    public func deliver(_ entry: OutboxEntry, to user: User, at instant: UTCDateTime = .now()) throws -> Result {
        guard let taken = try store.beginSending(entry, at: instant) else { return .notTaken }
        let link: IssuedLink
        let receipt: MailReceipt
        do {
            (link, receipt) = try send(to: user, at: instant)
        } catch let failure {
            let next = OutboxEntry.afterFailure(failure, attempts: taken.attempts, at: instant)
            try store.failSending(taken, for: user, at: instant, failure: failure, state: next.state, nextAttemptAt: next.nextAttemptAt)
            return .failed(failure)
        }
        try store.finishSending(taken, for: user, at: instant, receipt: receipt)
        var mailed = user
        mailed.activationSentAt = instant
        return .sent(RegisterWorkflow.Outcome(user: mailed, link: link, deliveredTo: receipt.destination))
    }

    /// A fresh link, and the mail that carries it. The token does not cover activation_sent_at,
    /// so the link stays good once that is recorded. An account no link can be made for never
    /// gets one: that failure is permanent.
    private func send(to user: User, at instant: UTCDateTime) throws(MailFailure) -> (IssuedLink, MailReceipt) {
        let link: IssuedLink
        do { link = try links.issue(for: user, at: instant) } catch { throw MailFailure(error, permanent: true) }
        return (link, try mail.send(to: user, link: link, at: instant))
    }

    enum Verdict {
        case send(User)
        case abandon(String)
    }

    /// Whether a queued mail should still go out: not once the account is gone, was activated
    /// (see `ActivationWindow.isNeverActivated`), or has another address.
    static func verdict(_ entry: OutboxEntry, _ user: User?) -> Verdict {
        guard let user else { return .abandon("the account no longer exists") }
        if user.isActive { return .abandon("the account is already active") }
        guard ActivationWindow.isNeverActivated(user) else { return .abandon("the account was deactivated after it had been active") }
        if !EmailAddress.same(user.email, entry.recipient) {
            return .abandon("the account's email changed to \(printable(user.email)); send-activation mails the new address")
        }
        return .send(user)
    }
}
