/// What a flow that mails owns of its kind of mail, for the outbox (`MailDelivery`): whether a
/// queued mail is still due when its turn comes, the mail itself with a fresh link, and what is
/// recorded when it goes. A flow registers its type in `Flows.mailing`.
public protocol MailFlow {
    /// The kind its outbox rows carry.
    static var kind: MailKind { get }

    /// Builds the flow from the site's settings, keys and mail backend (its link setting, its
    /// templates): what a command that may send any queued mail needs (`outbox retry`).
    init(_ parts: FlowParts) throws

    /// Where its mails go (a bulk run keeps the connection while `isConnected`).
    var backend: MailBackend { get }

    /// What the store writes beside the outbox row when one of its mails goes or fails.
    var record: MailRecord { get }

    /// Whether `entry` should still go out to its account as it is now (nil: gone).
    func verdict(_ entry: OutboxEntry, _ user: User?) -> MailVerdict

    /// The mail as it goes out at `instant`, with a link made now. An account no link can be
    /// made for never gets one: that failure is permanent.
    func compose(for user: User, at instant: UTCDateTime) throws(MailFailure) -> ComposedMail
}

extension MailFlow {
    public var kind: MailKind { Self.kind }
}

/// Whether a queued mail still goes out.
public enum MailVerdict: Equatable, Sendable {
    case send(User)
    /// Never: the reason goes into the outbox row (failed-permanent).
    case abandon(String)
}

/// A mail ready to go, and the link it carries.
public struct ComposedMail: Sendable {
    public var message: MailMessage
    public var link: IssuedLink

    public init(message: MailMessage, link: IssuedLink) {
        self.message = message
        self.link = link
    }
}

/// What the store writes, in the transaction that records a mail's outcome, besides the outbox
/// row: the audit entry's action, and whether the account's activation_sent_at is stamped (an
/// activation mail restarts the activation window).
public struct MailRecord: Equatable, Sendable {
    public var action: AuditAction
    public var stampsActivationSentAt: Bool

    public init(action: AuditAction, stampsActivationSentAt: Bool) {
        self.action = action
        self.stampsActivationSentAt = stampsActivationSentAt
    }
}

/// What a flow is built from (`MailFlow.init`): every flow reads its own settings from these.
public struct FlowParts {
    public var settings: Settings
    /// SECRET_KEY and its fallbacks, in the activation window's token clock; a flow with
    /// another purpose or lifetime derives its generator from it.
    public var tokens: TokenGenerator
    public var backend: MailBackend

    public init(settings: Settings, tokens: TokenGenerator, backend: MailBackend) {
        self.settings = settings
        self.tokens = tokens
        self.backend = backend
    }
}
