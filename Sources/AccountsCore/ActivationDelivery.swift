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

    public func deliver(_ entry: OutboxEntry, to user: User, at instant: UTCDateTime = .now()) throws -> Result {
        guard let taken = try store.beginSending(entry, at: instant) else { return .notTaken }
        // The token does not cover activation_sent_at, so the link stays good once it is recorded.
        let link = links.issue(for: user, at: instant)
        let receipt: MailReceipt
        do {
            receipt = try mail.send(to: user, link: link, at: instant)
        } catch {
            let failure = error as? MailFailure ?? MailFailure(error as? AccountsError ?? AccountsError(.unavailable, "\(error)"))
            try store.failSending(taken, for: user, at: instant, failure: failure)
            return .failed(failure)
        }
        try store.finishSending(taken, for: user, at: instant, receipt: receipt)
        var mailed = user
        mailed.activationSentAt = instant
        return .sent(RegisterWorkflow.Outcome(user: mailed, link: link, deliveredTo: receipt.destination))
    }
}
