import Foundation

/// What a token is bound to. A token stops matching as soon as any of these change, which is
/// what makes activation links single-use (activation sets last_login).
public protocol TokenSubject {
    var id: Int64 { get }
    var password: String { get }
    var lastLogin: UTCDateTime? { get }
    var email: String { get }
}

/// Django's `PasswordResetTokenGenerator` (5.2), byte for byte, for one `TokenPurpose`.
///
/// token = base36(ts) + "-" + every other hex digit of
///         HMAC-SHA256(sha256(key_salt + secret), purpose's hash value, by default
///         f"{pk}{password}{login_ts}{ts}{email}")
/// where ts counts seconds since 2001-01-01 00:00 on the wall clock of TIME_ZONE.
public struct TokenGenerator: Sendable {
    public enum Verdict: Equatable, Sendable {
        /// Signed by key `keyIndex` (0 = SECRET_KEY, n = SECRET_KEY_FALLBACKS[n-1]) at `issuedAt`.
        case valid(keyIndex: Int, issuedAt: Int64)
        /// Genuine but older than PASSWORD_RESET_TIMEOUT.
        case expired(keyIndex: Int, issuedAt: Int64)
        /// Genuine but dated later than any honest clock could have made it (Django accepts it;
        /// only someone holding the key can make one, so it is refused as invalid).
        case fromTheFuture(keyIndex: Int, issuedAt: Int64)
        /// Malformed, signed with an unknown key, for another account, or already used.
        case invalid
    }

    /// One keyed HMAC per secret, derived once rather than once per token.
    private let keys: [HMACKey]
    public let purpose: any TokenPurpose
    /// When tokens expire, and the clock they count in.
    public let window: ActivationWindow

    public init(secretKey: String, fallbacks: [String] = [], purpose: any TokenPurpose = ActivationPurpose(), window: ActivationWindow) {
        self.keys = ([secretKey] + fallbacks).map { HMACKey(OpenSSLCrypto.sha256(Array((purpose.keySalt + $0).utf8))) }
        self.purpose = purpose
        self.window = window
    }

    public init(secretKey: String, fallbacks: [String] = [], purpose: any TokenPurpose = ActivationPurpose(), timeout: Int64 = 259_200,
                timeZone: TimeZone = TimeZone(identifier: "UTC")!) {
        self.init(secretKey: secretKey, fallbacks: fallbacks, purpose: purpose, window: ActivationWindow(timeout: timeout, timeZone: timeZone))
    }

    /// Django's `_num_seconds(datetime.now())`: whole seconds from 2001-01-01 00:00 to the
    /// current wall-clock time in TIME_ZONE.
    public func timestamp(at instant: UTCDateTime) -> Int64 {
        window.clock.timestamp(at: instant)
    }

    /// How messages name key `index`: SECRET_KEY, or SECRET_KEY_FALLBACKS[n].
    public static func keyName(_ index: Int) -> String {
        index == 0 ? "SECRET_KEY" : "SECRET_KEY_FALLBACKS[\(index - 1)]"
    }

    public func makeToken(for user: some TokenSubject, at instant: UTCDateTime) -> String {
        makeToken(for: user, timestamp: timestamp(at: instant), keyIndex: 0)
    }

    public func makeToken(for user: some TokenSubject, timestamp: Int64, keyIndex: Int = 0) -> String {
        var token: [UInt8] = []
        writeToken(for: user, timestamp: timestamp, keyIndex: keyIndex, into: &token)
        return String(decoding: token, as: UTF8.self)
    }

    /// Checks `token` against every key, comparing in constant time, then its date.
    public func check(_ token: String, for user: some TokenSubject, at instant: UTCDateTime) -> Verdict {
        let presented = Array(token.utf8)
        guard let dash = presented.firstIndex(of: UInt8(ascii: "-")),
              !presented[(dash + 1)...].contains(UInt8(ascii: "-")),
              let issuedAt = Base36.decode(utf8: presented[..<dash]) else { return .invalid }
        var expected: [UInt8] = []
        for keyIndex in keys.indices {
            writeToken(for: user, timestamp: issuedAt, keyIndex: keyIndex, into: &expected)
            if OpenSSLCrypto.constantTimeEquals(expected, presented) {
                if window.hasExpired(tokenTimestamp: issuedAt, at: instant) {
                    return .expired(keyIndex: keyIndex, issuedAt: issuedAt)
                }
                if window.isFromTheFuture(tokenTimestamp: issuedAt, at: instant) {
                    return .fromTheFuture(keyIndex: keyIndex, issuedAt: issuedAt)
                }
                return .valid(keyIndex: keyIndex, issuedAt: issuedAt)
            }
        }
        return .invalid
    }

    /// The token's bytes, built in `buffer` (reused: the HMAC input first, then the token), so a
    /// token costs one HMAC and no other work worth measuring.
    private func writeToken(for user: some TokenSubject, timestamp: Int64, keyIndex: Int, into buffer: inout [UInt8]) {
        buffer.removeAll(keepingCapacity: true)
        buffer.reserveCapacity(user.password.utf8.count + user.email.utf8.count + 64)
        purpose.appendHashValue(of: user, timestamp: timestamp, to: &buffer)
        withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { mac in
            buffer.withUnsafeBytes { keys[keyIndex].authenticate($0, into: mac) }
            buffer.removeAll(keepingCapacity: true)
            Base36.append(timestamp, to: &buffer)
            buffer.append(UInt8(ascii: "-"))
            // Python's hexdigest()[::2]: every other hex digit, i.e. the high nibble of each byte.
            for byte in mac { buffer.append(Self.hexDigits[Int(byte >> 4)]) }
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
