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

    /// `force` skips the cooldown.
    public func send(to reference: AccountReference, force: Bool, at instant: UTCDateTime = .now()) throws -> RegisterWorkflow.Outcome {
        let user = try store.requireUser(matching: reference)
        try Self.requireNeverActivated(user)
        // A mail already waiting for a retry is sent now rather than a second one queued.
        if let waiting = try store.pendingMail(.activation, for: user, inFlightSince: instant.adding(seconds: -OutboxEntry.interruptedAfter)) {
            guard waiting.state != .sending else {
                throw AccountsError(.temporary, "an activation mail to '\(printable(user.userID))' is being sent right now (outbox #\(waiting.id))", hint: .seeOutbox)
            }
            return try deliver(waiting, to: user, at: instant, claim: nil)
        }
        // Claim the mail in the database first, so two processes cannot both pass the cooldown.
        let notBefore = force ? nil : MailCooldown(seconds: cooldown).notBefore(instant)
        switch try store.claimActivationMail(id: user.id, ifStill: ActivationWindow.isNeverActivated, at: instant, notSentSince: notBefore) {
        case .claimed(let previous, let entry):
            return try deliver(entry, to: user, at: instant, claim: Claim(previous: previous))
        case .refused(let current), .overLimit(let current):
            try Self.requireNeverActivated(current)
            let wait = MailCooldown(seconds: cooldown).wait(since: current.activationSentAt, at: instant)
            throw AccountsError(.temporary, "an activation mail went to '\(printable(current.userID))' less than \(cooldown) s ago; try again in \(wait) s", hint: .forceSkipsCooldown)
        }
    }

    /// Only an account never activated gets a link: an active one needs none, and one that was
    /// deactivated must not be reactivated by a link (that is an administrator's act).
    static func requireNeverActivated(_ user: User) throws {
        if user.isActive {
            throw AccountsError(.badData, "account '\(printable(user.userID))' is already active; no activation mail sent")
        }
        guard ActivationWindow.isNeverActivated(user) else {
            throw AccountsError(.badData, "account '\(printable(user.userID))' was deactivated after it had been active; no activation mail sent (a link must not reactivate it)")
        }
    }

    /// `send-activation --pending`: claims, in one transaction, a mail for every account never
    /// activated whose cooldown has passed (all of them with `force`); two runs at once cannot
    /// both claim one account.
    public func claimAllPending(force: Bool, at instant: UTCDateTime = .now()) throws -> [PendingMailClaim] {
        try store.claimPendingMails(notSentSince: force ? nil : MailCooldown(seconds: cooldown).notBefore(instant), at: instant)
    }

    /// Sends what `claimAllPending` claimed, and gives the cooldown back for every mail that
    /// failed or was not tried, so that it does not hold up the next one.
    public func deliver(_ claims: [PendingMailClaim], with delivery: BulkDelivery, claimedAt instant: UTCDateTime,
                        progress: @escaping @Sendable (BulkDelivery.Progress) -> Void) throws -> BulkDelivery.Report {
        let report = try delivery.deliver(claims.map(\.mailID), progress: progress)
        let unsent = Set(report.failedMailIDs + report.deferredMailIDs)
        for claim in claims where unsent.contains(claim.mailID) {
            releaseCooldown(accountID: claim.accountID, claimedAt: instant, previous: claim.previous)
        }
        return report
    }

    /// Best effort: if even this fails, the account only waits out one cooldown; the mail error
    /// is what the operator needs to see.
    private func releaseCooldown(accountID: Int64, claimedAt instant: UTCDateTime, previous: UTCDateTime?) {
        try? store.releaseActivationMail(id: accountID, claimedAt: instant, previous: previous)
    }

    /// The cooldown taken for a new mail: activation_sent_at as it was before.
    private struct Claim {
        let previous: UTCDateTime?
    }

    /// Sends `entry`; when it fails, gives the cooldown `claim` back so that a failed mail does
    /// not hold the next one up.
    private func deliver(_ entry: OutboxEntry, to user: User, at instant: UTCDateTime, claim: Claim?) throws -> RegisterWorkflow.Outcome {
        switch try MailDelivery(store: store, links: links, mail: mail).deliver(entry, to: user, at: instant) {
        case .sent(let outcome):
            return outcome
        case .failed(let failure):
            if let claim {
                releaseCooldown(accountID: user.id, claimedAt: instant, previous: claim.previous)
            }
            throw AccountsError(failure.error.kind, "activation mail to '\(printable(user.userID))' was not sent: \(failure.error.message)",
                                hint: failure.permanent ? nil : .outboxRetrySendsIt)
        case .notTaken:
            throw AccountsError(.temporary, "an activation mail to '\(printable(user.userID))' is being sent by another process", hint: .seeOutbox)
        }
    }
}
