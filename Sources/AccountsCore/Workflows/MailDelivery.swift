/// Sends one mail from the outbox, at most once: takes the row (state `sending`) in its own
/// transaction, has the flow of its kind make it with a fresh link, sends, then records the
/// outcome. A crash after the server's 250 and before the record leaves the row `sending`, and it
/// is not sent again.
public struct MailDelivery {
    let store: AccountStore
    let flows: [MailKind: any MailFlow]

    /// `flows`: one for each kind this delivery may send; a row of another kind is left alone.
    public init(store: AccountStore, flows: [any MailFlow]) {
        self.store = store
        self.flows = Dictionary(flows.map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Activation mails only.
    public init(store: AccountStore, links: ActivationLinks, mail: ActivationMail) {
        self.init(store: store, flows: [ActivationMailFlow(links: links, mail: mail)])
    }

    public enum Result: Sendable {
        /// Sent: the account as mailed, the link in the mail, where it went.
        case sent(RegisterWorkflow.Outcome)
        case failed(MailFailure)
        /// Not ours to send: another process took it first, it already went out, or it is of a
        /// kind this delivery does not send.
        case notTaken
    }

    /// One mail of a queue, looked up now: the row, its account as it is now, and what happened.
    public struct Attempt: Sendable {
        public enum Outcome: Sendable {
            case delivery(Result)
            /// Not sent and never will be: its flow says it is no longer due (the account is
            /// gone, was activated, or has another address).
            case abandoned(reason: String)
        }

        public var entry: OutboxEntry?
        public var user: User?
        public var outcome: Outcome
    }

    /// Sends outbox row `mailID` if its flow says it should still go out (`MailFlow.verdict`);
    /// marks it failed for good, without sending, if it should not.
    public func deliver(mailID: Int64, at instant: UTCDateTime = .now()) throws -> Attempt {
        guard let entry = try store.outboxEntry(id: mailID) else { return Attempt(entry: nil, user: nil, outcome: .delivery(.notTaken)) }
        guard entry.state == .queued || entry.state == .failedTemporary, let flow = flows[entry.kind] else {
            return Attempt(entry: entry, user: nil, outcome: .delivery(.notTaken))
        }
        let user = try store.user(id: entry.accountID)
        switch flow.verdict(entry, user) {
        case .abandon(let reason):
            try store.abandonMail(entry, at: instant, reason: reason)
            return Attempt(entry: entry, user: user, outcome: .abandoned(reason: reason))
        case .send(let user):
            return Attempt(entry: entry, user: user, outcome: .delivery(try deliver(entry, to: user, at: instant)))
        }
    }

    public func deliver(_ entry: OutboxEntry, to user: User, at instant: UTCDateTime = .now()) throws -> Result {
        guard let flow = flows[entry.kind], let taken = try store.beginSending(entry, at: instant) else { return .notTaken }
        let composed: ComposedMail
        let receipt: MailReceipt
        do {
            composed = try flow.compose(for: user, at: instant)
            receipt = try flow.backend.send(composed.message)
        } catch let failure {
            let next = OutboxEntry.afterFailure(failure, attempts: taken.attempts, at: instant)
            try store.failSending(taken, for: user, at: instant, failure: failure, state: next.state, nextAttemptAt: next.nextAttemptAt,
                                  record: flow.record)
            return .failed(failure)
        }
        try store.finishSending(taken, for: user, at: instant, receipt: receipt, record: flow.record)
        var mailed = user
        if flow.record.stampsActivationSentAt { mailed.activationSentAt = instant }
        return .sent(RegisterWorkflow.Outcome(user: mailed, link: composed.link, deliveredTo: receipt.destination))
    }
}
