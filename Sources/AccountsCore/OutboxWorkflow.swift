/// `outbox retry`: sends the queued and failed-temporary activation mails whose time has come.
public struct OutboxWorkflow {
    let store: AccountStore
    let links: ActivationLinks
    let mail: ActivationMail

    public init(store: AccountStore, links: ActivationLinks, mail: ActivationMail) {
        self.store = store
        self.links = links
        self.mail = mail
    }

    /// What happened to one mail.
    public enum Outcome: Sendable {
        case sent(destination: String)
        case failed(MailFailure)
        /// Not sent and never will be: the account is gone, active, or has another address now.
        case abandoned(reason: String)
        /// Another process took it first.
        case notTaken
    }

    public struct Summary: Sendable {
        public var sent = 0
        public var failedTemporary = 0
        public var failedPermanent = 0
        public var abandoned = 0
        public var notTaken = 0
    }

    /// Sends every due mail (with `includingNotYetDue`, every queued and failed-temporary one),
    /// oldest first, telling `report` about each.
    public func retry(at instant: UTCDateTime = .now(), includingNotYetDue: Bool = false,
                      report: (OutboxEntry, Outcome) -> Void = { _, _ in }) throws -> Summary {
        var summary = Summary()
        let delivery = ActivationDelivery(store: store, links: links, mail: mail)
        for entry in try store.dueMail(at: instant, includingNotYetDue: includingNotYetDue) {
            let outcome: Outcome
            switch Self.verdict(entry, try store.user(id: entry.accountID)) {
            case .abandon(let reason):
                try store.abandonMail(entry, at: instant, reason: reason)
                outcome = .abandoned(reason: reason)
                summary.abandoned += 1
            case .send(let user):
                switch try delivery.deliver(entry, to: user, at: .now()) {
                case .sent(let sent):
                    outcome = .sent(destination: sent.deliveredTo ?? entry.recipient)
                    summary.sent += 1
                case .failed(let failure):
                    outcome = .failed(failure)
                    if failure.permanent { summary.failedPermanent += 1 } else { summary.failedTemporary += 1 }
                case .notTaken:
                    outcome = .notTaken
                    summary.notTaken += 1
                }
            }
            report(entry, outcome)
        }
        return summary
    }

    private enum Verdict {
        case send(User)
        case abandon(String)
    }

    /// Whether a queued mail should still go out: not once the account is gone, active, or has
    /// another address.
    private static func verdict(_ entry: OutboxEntry, _ user: User?) -> Verdict {
        guard let user else { return .abandon("the account no longer exists") }
        if user.isActive { return .abandon("the account is already active") }
        if user.email.lowercased() != entry.recipient.lowercased() {
            return .abandon("the account's email changed to \(user.email); send-activation mails the new address")
        }
        return .send(user)
    }
}
