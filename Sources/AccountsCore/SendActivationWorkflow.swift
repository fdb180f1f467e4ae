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
        // Claim the mail in the database first, so two processes cannot both pass the cooldown.
        let notBefore = force ? nil : instant.adding(seconds: -cooldown)
        let previous: UTCDateTime?
        switch try store.claimActivationMail(id: user.id, at: instant, notSentSince: notBefore) {
        case .claimed(let earlier):
            previous = earlier
        case .refused(let current):
            if current.isActive {
                throw AccountsError(.badData, "account '\(current.userID)' is already active; no activation mail sent")
            }
            let sent = current.activationSentAt ?? instant
            let wait = max(1, sent.epochSeconds + cooldown - instant.epochSeconds)
            throw AccountsError(.temporary, "an activation mail went to '\(current.userID)' less than \(cooldown) s ago; try again in \(wait) s, or pass --force")
        }
        var claimed = user
        claimed.activationSentAt = instant
        let link = links.issue(for: claimed, at: instant)
        let destination: String
        do {
            destination = try mail.send(to: claimed, link: link, at: instant)
        } catch {
            // Best effort: if even this fails, the account only waits out one cooldown; the mail
            // error below is what the operator needs to see.
            try? store.releaseActivationMail(user, claimedAt: instant, previous: previous, reason: "\(error)")
            if let error = error as? AccountsError {
                throw AccountsError(error.kind, "activation mail to '\(user.userID)' was not sent: \(error.message)")
            }
            throw error
        }
        try store.recordActivationSent(claimed, at: instant, destination: destination)
        return RegisterWorkflow.Outcome(user: claimed, link: link, deliveredTo: destination)
    }
}
