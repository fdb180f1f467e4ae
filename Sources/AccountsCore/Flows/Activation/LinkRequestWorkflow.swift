/// "Send me a new link" on `serve`'s page: a visitor holding an expired link, not the operator.
/// The link must be genuine, expired, and the latest one the account was sent (an older link
/// would otherwise be a mail trigger for as long as the account lives); the cooldown applies;
/// an account gets at most `limit` such mails (each one restarts its activation window, so the
/// limit is also how far a visitor can put off its purge: `limit` × PASSWORD_RESET_TIMEOUT). The
/// mail is only queued: a page never waits for SMTP, and a failed send keeps the cooldown taken.
public struct LinkRequestWorkflow: Sendable {
    let store: AccountStore
    let tokens: TokenGenerator
    let cooldown: Int64
    let limit: Int

    public init(store: AccountStore, tokens: TokenGenerator, cooldown: Int64, limit: Int) {
        self.store = store
        self.tokens = tokens
        self.cooldown = cooldown
        self.limit = limit
    }

    public enum Outcome: Equatable, Sendable {
        /// A mail to the account is queued (or was already waiting): outbox row `mailID`.
        case queued(user: User, mailID: Int64)
        /// A mail went to the address less than the cooldown ago.
        case cooldown(user: User, seconds: Int64)
        /// A newer link was sent since this one: the visitor should use the latest mail.
        case notTheLatestLink(user: User)
        /// The account has had `limit` new links asked for already.
        case overTheLimit(user: User)
        /// Not a genuine expired link of a never-activated account: nothing to offer.
        case notExpired
    }

    public func request(_ link: ActivationLink, at instant: UTCDateTime = .now()) throws -> Outcome {
        guard let id = UIDCodec.decode(link.uid), let user = try store.user(id: id), ActivationWindow.isNeverActivated(user),
              case .expired(_, let issuedAt) = tokens.check(link.token, for: user, at: instant) else { return .notExpired }
        guard issuedAt >= tokens.timestamp(at: user.activationWindowStart) else { return .notTheLatestLink(user: user) }
        guard limit > 0 else { return .overTheLimit(user: user) }
        // A mail to the account's address already waiting goes out; no second one is queued.
        if let waiting = try store.pendingMail(.activation, for: user, inFlightSince: instant.adding(seconds: -OutboxEntry.interruptedAfter)) {
            return .queued(user: user, mailID: waiting.id)
        }
        switch try store.claimActivationMail(id: id, ifStill: ActivationWindow.isNeverActivated, at: instant,
                                             notSentSince: MailCooldown(seconds: cooldown).notBefore(instant),
                                             request: LinkRequestRecord(limit: limit, detail: AuditDetail.linkRequested)) {
        case .claimed(_, let mail):
            return .queued(user: user, mailID: mail.id)
        case .overLimit(let current):
            return .overTheLimit(user: current)
        case .refused(let current):
            guard ActivationWindow.isNeverActivated(current) else { return .notExpired }
            return .cooldown(user: current, seconds: MailCooldown(seconds: cooldown).wait(since: current.activationSentAt, at: instant))
        }
    }
}
