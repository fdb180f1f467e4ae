/// `outbox retry`: sends the queued and failed-temporary mails whose time has come, of every
/// kind (each by its flow), over one connection. When the relay says "not now" (any failure that is not about one
/// message), the run stops: the rest stays for the next run rather than failing one by one.
public struct OutboxWorkflow {
    let store: AccountStore
    let flows: [any MailFlow]

    /// `flows`: one of each kind (`Flows.mailFlows`), sharing one backend.
    public init(store: AccountStore, flows: [any MailFlow]) {
        self.store = store
        self.flows = flows
    }

    /// What happened to one mail.
    public enum Outcome: Sendable {
        case sent(destination: String)
        case failed(MailFailure)
        /// Not sent and never will be: its flow says it is no longer due (the account is gone,
        /// active, or has another address now).
        case abandoned(reason: String)
        /// Another process took it first.
        case notTaken
    }

    public struct Summary: Sendable {
        public var sent = 0
        public var failures = FailureTally()
        public var abandoned = 0
        public var notTaken = 0

        /// Due mails not tried: the run stopped after `stoppedBy`.
        public var notTried = 0
        public var stoppedBy: MailFailure?
        /// Mails not due yet (a retry later), and when the first of them is.
        public var waiting = 0
        public var nextAttemptAt: UTCDateTime?

        /// Every mail tried.
        public var total: Int { sent + failures.count + abandoned + notTaken }
        /// The error the run ends with (see `FailureTally`); nil when nothing failed.
        public var error: AccountsError? { failures.error(of: sent + failures.count + notTried, notTried: notTried) }
    }

    /// Sends every due mail (with `includingNotYetDue`, every queued and failed-temporary one),
    /// oldest first, telling `report` about each.
    public func retry(at instant: UTCDateTime = .now(), includingNotYetDue: Bool = false,
                      report: (OutboxEntry, Outcome) -> Void = { _, _ in }) throws -> Summary {
        var summary = Summary()
        let delivery = MailDelivery(store: store, flows: flows)
        let dueMail = try store.dueMail(at: instant, includingNotYetDue: includingNotYetDue)
        for (index, due) in dueMail.enumerated() {
            if summary.stoppedBy != nil {
                summary.notTried = dueMail.count - index
                break
            }
            let attempt = try delivery.deliver(mailID: due.id, at: .now())
            let outcome: Outcome
            switch attempt.outcome {
            case .delivery(.sent(let sent)):
                outcome = .sent(destination: sent.deliveredTo ?? due.recipient)
                summary.sent += 1
            case .delivery(.failed(let failure)):
                outcome = .failed(failure)
                summary.failures.add(failure, userID: attempt.user?.userID)
                if !failure.permanent { summary.stoppedBy = failure }
            case .abandoned(let reason):
                outcome = .abandoned(reason: reason)
                summary.abandoned += 1
            case .delivery(.notTaken):
                outcome = .notTaken
                summary.notTaken += 1
            }
            report(attempt.entry ?? due, outcome)
        }
        if !includingNotYetDue {
            (summary.waiting, summary.nextAttemptAt) = try store.mailNotYetDue(at: instant)
        }
        return summary
    }
}
