/// `send-activation`: a fresh link and mail for a pending account, at most once per cooldown.
public struct SendActivationWorkflow {
    let store: AccountStore
    let links: ActivationLinks
    let mail: ActivationMail
    let cooldown: Int64

    public init(store: AccountStore, links: ActivationLinks, mail: ActivationMail, cooldown: Int64) {
        self.store = store
        self.links = links
        self.mail = mail
        self.cooldown = cooldown
    }

    /// `reference` is a user_id or an email. `force` skips the cooldown.
    public func send(to reference: String, force: Bool, at instant: UTCDateTime = .now()) throws -> RegisterWorkflow.Outcome {
        guard let user = try store.user(matching: reference) else {
            throw AccountsError(.noSuchUser, "no account with user_id or email '\(printable(reference))'")
        }
        if user.isActive {
            throw AccountsError(.badData, "account '\(user.userID)' is already active; no activation mail sent")
        }
        // A mail already waiting for a retry is sent now rather than a second one queued.
        if let waiting = try store.pendingMail(for: user, inFlightSince: instant.adding(seconds: -OutboxEntry.interruptedAfter)) {
            guard waiting.state != .sending else {
                throw AccountsError(.temporary, "an activation mail to '\(user.userID)' is being sent right now (outbox #\(waiting.id)); see: accounts outbox")
            }
            return try deliver(waiting, to: user, at: instant, claim: nil)
        }
        // Claim the mail in the database first, so two processes cannot both pass the cooldown.
        let notBefore = force ? nil : instant.adding(seconds: -cooldown)
        switch try store.claimActivationMail(id: user.id, at: instant, notSentSince: notBefore) {
        case .claimed(let previous, let entry):
            return try deliver(entry, to: user, at: instant, claim: Claim(previous: previous))
        case .refused(let current):
            if current.isActive {
                throw AccountsError(.badData, "account '\(current.userID)' is already active; no activation mail sent")
            }
            let sent = current.activationSentAt ?? instant
            let wait = max(1, sent.epochSeconds + cooldown - instant.epochSeconds)
            throw AccountsError(.temporary, "an activation mail went to '\(current.userID)' less than \(cooldown) s ago; try again in \(wait) s, or pass --force")
        }
    }

    /// The cooldown taken for a new mail: activation_sent_at as it was before.
    private struct Claim {
        let previous: UTCDateTime?
    }

    /// Sends `entry`; when it fails, gives the cooldown `claim` back so that a failed mail does
    /// not hold the next one up.
    private func deliver(_ entry: OutboxEntry, to user: User, at instant: UTCDateTime, claim: Claim?) throws -> RegisterWorkflow.Outcome {
        switch try ActivationDelivery(store: store, links: links, mail: mail).deliver(entry, to: user, at: instant) {
        case .sent(let outcome):
            return outcome
        case .failed(let failure):
            if let claim {
                // Best effort: if even this fails, the account only waits out one cooldown; the
                // mail error below is what the operator needs to see.
                try? store.releaseActivationMail(id: user.id, claimedAt: instant, previous: claim.previous)
            }
            let next = failure.permanent ? "" : " (it stays in the outbox: accounts outbox retry)"
            throw AccountsError(failure.error.kind, "activation mail to '\(user.userID)' was not sent: \(failure.error.message)\(next)")
        case .notTaken:
            throw AccountsError(.temporary, "an activation mail to '\(user.userID)' is being sent by another process; see: accounts outbox")
        }
    }
}
