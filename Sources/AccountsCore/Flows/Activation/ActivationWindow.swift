import Foundation

/// The one definition of the activation rules: which accounts a link may still activate, when a
/// link expires, and which accounts are pending or expired (what purge may delete). Tokens,
/// `activate`, `inspect`, `send-activation`, the outbox, `list` and `purge-expired` all ask this
/// type; the stores translate `neverActivated` and the cut-off into SQL, each in one place.
public struct ActivationWindow: Sendable {
    /// PASSWORD_RESET_TIMEOUT (or `purge-expired --older-than`): how long a link is good for.
    public let timeout: Int64
    public let clock: TokenClock

    /// How far ahead of our clock a token may be dated: clocks of honest hosts differ by
    /// seconds, not years (Django itself accepts any future date).
    public static let clockSkewAllowance: Int64 = 300

    public init(timeout: Int64, timeZone: TimeZone) {
        self.timeout = timeout
        self.clock = TokenClock(timeZone: timeZone)
    }

    public init(timeout: Int64, clock: TokenClock) {
        self.timeout = timeout
        self.clock = clock
    }

    /// Never activated: not active, never logged in, and no activation recorded. Only these may
    /// be activated by a link, be mailed one, or be purged. An account that was active once and
    /// was deactivated is not one of them: reactivating it is an administrator's act, and the
    /// database stamps `activated_at` whenever `is_active` becomes 1, whoever sets it.
    public static func isNeverActivated(_ user: User) -> Bool {
        !user.isActive && user.lastLogin == nil && user.activatedAt == nil
    }

    /// A token dated `timestamp` is too old at `instant` (Django's `check_token` rule).
    public func hasExpired(tokenTimestamp timestamp: Int64, at instant: UTCDateTime) -> Bool {
        clock.timestamp(at: instant) - timestamp > timeout
    }

    /// A token dated later than any honest clock could have made it by `instant`.
    public func isFromTheFuture(tokenTimestamp timestamp: Int64, at instant: UTCDateTime) -> Bool {
        timestamp > clock.highestTimestamp(upTo: instant.adding(seconds: Self.clockSkewAllowance))
    }

    /// The instant a token dated `timestamp` stops being accepted.
    public func expiry(ofTimestamp timestamp: Int64) -> UTCDateTime {
        clock.earliestInstant(reaching: timestamp + timeout + 1)
    }

    /// The instant a token dated `timestamp` was made (the earliest, when the clocks went back).
    public func issuedAt(ofTimestamp timestamp: Int64) -> UTCDateTime {
        clock.earliestInstant(reaching: timestamp)
    }

    /// Never-activated accounts whose activation window started before this are expired: the
    /// link mailed then no longer works. Computed in token time, so that purge never deletes an
    /// account whose link is still good, also in the hour after the clocks go back.
    public func cutoff(at instant: UTCDateTime) -> UTCDateTime {
        clock.earliestInstant(reaching: clock.timestamp(at: instant) - timeout)
    }

    /// When the link of `user`'s current activation window (its last mail, or sign-up) stops
    /// working; nil for an account that is not never-activated, which no link activates.
    public func linkExpiry(of user: User) -> UTCDateTime? {
        guard Self.isNeverActivated(user) else { return nil }
        return expiry(ofTimestamp: clock.timestamp(at: user.activationWindowStart))
    }

    /// How `list` classifies `user` given `cutoff(at:)`.
    public static func state(of user: User, cutoff: UTCDateTime) -> AccountState {
        if user.isActive { return .active }
        guard isNeverActivated(user) else { return .inactive }
        return user.activationWindowStart < cutoff ? .expired : .pending
    }
}
