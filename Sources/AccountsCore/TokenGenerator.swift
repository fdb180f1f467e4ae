import Foundation

/// What a token is bound to. A token stops matching as soon as any of these change, which is
/// what makes activation links single-use (activation sets last_login).
public protocol TokenSubject {
    var id: Int64 { get }
    var password: String { get }
    var lastLogin: UTCDateTime? { get }
    var email: String { get }
}

/// Django's `PasswordResetTokenGenerator` (5.2), byte for byte.
///
/// token = base36(ts) + "-" + every other hex digit of
///         HMAC-SHA256(sha256(key_salt + secret), f"{pk}{password}{login_ts}{ts}{email}")
/// where ts counts seconds since 2001-01-01 00:00 on the wall clock of TIME_ZONE.
public struct TokenGenerator: Sendable {
    public static let keySalt = "django.contrib.auth.tokens.PasswordResetTokenGenerator"

    public enum Verdict: Equatable, Sendable {
        /// Signed by key `keyIndex` (0 = SECRET_KEY, n = SECRET_KEY_FALLBACKS[n-1]) at `issuedAt`.
        case valid(keyIndex: Int, issuedAt: Int64)
        /// Genuine but older than PASSWORD_RESET_TIMEOUT.
        case expired(keyIndex: Int, issuedAt: Int64)
        /// Malformed, signed with an unknown key, for another account, or already used.
        case invalid
    }

    /// Derived once per secret rather than once per token.
    private let keys: [[UInt8]]
    public let timeout: Int64
    public let timeZone: TimeZone

    public init(secretKey: String, fallbacks: [String] = [], timeout: Int64 = 259_200, timeZone: TimeZone = TimeZone(identifier: "UTC")!) {
        self.keys = ([secretKey] + fallbacks).map { OpenSSLCrypto.sha256(Array((Self.keySalt + $0).utf8)) }
        self.timeout = timeout
        self.timeZone = timeZone
    }

    /// Django's `_num_seconds(datetime.now())`: whole seconds from 2001-01-01 00:00 to the
    /// current wall-clock time in TIME_ZONE.
    public func timestamp(at instant: UTCDateTime) -> Int64 {
        let offset = Int64(timeZone.secondsFromGMT(for: instant.date))
        // 978307200 is 2001-01-01 00:00:00 UTC in Unix time.
        return instant.epochSeconds + offset - 978_307_200
    }

    /// The UTC instant at which a token issued at `timestamp` stops being accepted.
    public func expiry(ofTimestamp timestamp: Int64) -> UTCDateTime {
        let wallClock = timestamp + timeout + 978_307_200
        let offset = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(wallClock))))
        return UTCDateTime(epochSeconds: wallClock - offset + 1)
    }

    public func makeToken(for user: some TokenSubject, at instant: UTCDateTime) -> String {
        makeToken(for: user, timestamp: timestamp(at: instant), keyIndex: 0)
    }

    public func makeToken(for user: some TokenSubject, timestamp: Int64, keyIndex: Int = 0) -> String {
        let loginText = user.lastLogin?.wholeSecondsText ?? ""
        let value = "\(user.id)\(user.password)\(loginText)\(timestamp)\(user.email)"
        let mac = OpenSSLCrypto.hmacSHA256(key: keys[keyIndex], message: Array(value.utf8))
        // Python's hexdigest()[::2]: every other hex digit, i.e. the high nibble of each byte.
        let digits = Array("0123456789abcdef".utf8)
        let hash = String(decoding: mac.map { digits[Int($0 >> 4)] }, as: UTF8.self)
        return Base36.encode(timestamp) + "-" + hash
    }

    /// Checks `token` against every key, comparing in constant time, then the age.
    public func check(_ token: String, for user: some TokenSubject, at instant: UTCDateTime) -> Verdict {
        let parts = token.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let issuedAt = Base36.decode(parts[0]) else { return .invalid }
        let presented = Array(token.utf8)
        for keyIndex in keys.indices {
            let expected = Array(makeToken(for: user, timestamp: issuedAt, keyIndex: keyIndex).utf8)
            if OpenSSLCrypto.constantTimeEquals(expected, presented) {
                if timestamp(at: instant) - issuedAt > timeout {
                    return .expired(keyIndex: keyIndex, issuedAt: issuedAt)
                }
                return .valid(keyIndex: keyIndex, issuedAt: issuedAt)
            }
        }
        return .invalid
    }
}
