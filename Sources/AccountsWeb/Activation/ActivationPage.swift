import AccountsCore

/// What a visit to an activation link comes to: one case a page. The account is named only
/// where the token's signature checked out, so that guessing uids tells no one who exists.
enum ActivationPage: Sendable {
    /// GET of a good link: asks for the POST.
    case confirm(user: User)
    case activated(user: User)
    case alreadyActive(user: User)
    /// Genuine but too old: offers a new link (unless ACTIVATION_RESEND_LIMIT is 0).
    case expired(user: User, at: UTCDateTime, offersNewLink: Bool)
    case resent(user: User)
    /// A newer link went out after this one: only the latest may ask for another.
    case superseded(user: User)
    /// The account has had ACTIVATION_RESEND_LIMIT new links on request already.
    case resendLimit(user: User)
    /// A new link went out less than ACTIVATION_COOLDOWN ago.
    case cooldown(seconds: Int64)
    /// Genuine, but the account was active once: an administrator's matter.
    case deactivated(user: User)
    /// No account has the link's id (purged, or never was).
    case unknownAccount
    case invalid(InvalidReason)
    case changedMeanwhile
    /// The store or the mail relay failed: try later.
    case unavailable
    case crossSite
    case tooManyRequests(retryAfter: Int64)
    case notFound
    case badRequest

    enum InvalidReason: Sendable {
        /// Not a uid or not a token: cut off or mistyped.
        case malformed
        case tokenDoesNotMatch
        case fromTheFuture
    }

    var status: Int {
        switch self {
        case .confirm, .activated, .alreadyActive, .resent: 200
        case .expired, .superseded, .invalid, .deactivated, .changedMeanwhile, .badRequest: 400
        case .crossSite: 403
        case .unknownAccount, .notFound: 404
        case .cooldown, .tooManyRequests, .resendLimit: 429
        case .unavailable: 503
        }
    }

    /// What its button's form asks for, when it has one.
    var formAction: String? {
        switch self {
        case .confirm: "activate"
        case .expired(_, _, true): "resend"
        default: nil
        }
    }

    /// The account the page may name.
    var user: User? {
        switch self {
        case .confirm(let user), .activated(let user), .alreadyActive(let user), .expired(let user, _, _), .resent(let user), .deactivated(let user),
             .superseded(let user), .resendLimit(let user): user
        default: nil
        }
    }

    /// For the access log and /metrics: what happened, in one word.
    var outcome: String {
        switch self {
        case .confirm: "confirm"
        case .activated: "activated"
        case .alreadyActive: "already_active"
        case .expired: "expired"
        case .resent: "resent"
        case .superseded: "superseded"
        case .resendLimit: "resend_limit"
        case .cooldown: "cooldown"
        case .deactivated: "deactivated"
        case .unknownAccount: "unknown"
        case .invalid: "invalid"
        case .changedMeanwhile: "changed"
        case .unavailable: "unavailable"
        case .crossSite: "cross_site"
        case .tooManyRequests: "rate_limited"
        case .notFound: "not_found"
        case .badRequest: "bad_request"
        }
    }
}
