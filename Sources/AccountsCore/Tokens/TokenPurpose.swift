/// What a token is for, as Django makes one by subclassing `PasswordResetTokenGenerator`: its
/// `key_salt` (a token of one purpose never checks out for another) and its
/// `_make_hash_value` (what it binds, so that it stops working once that changes). A flow with
/// its own links adds a purpose; the generator, the clock and the key rotation stay shared.
public protocol TokenPurpose: Sendable {
    /// Django's `key_salt`.
    var keySalt: String { get }
    /// Django's `_make_hash_value(user, timestamp)`, appended to `buffer` as UTF-8.
    func appendHashValue(of user: some TokenSubject, timestamp: Int64, to buffer: inout [UInt8])
}

extension TokenPurpose {
    /// Django's own: f"{user.pk}{user.password}{login_timestamp}{timestamp}{email}", which makes
    /// a link single-use once the flow changes the password or last_login.
    public func appendHashValue(of user: some TokenSubject, timestamp: Int64, to buffer: inout [UInt8]) {
        Self.appendDecimal(user.id, to: &buffer)
        buffer.append(contentsOf: user.password.utf8)
        if let login = user.lastLogin { buffer.append(contentsOf: login.wholeSecondsText.utf8) }
        Self.appendDecimal(timestamp, to: &buffer)
        buffer.append(contentsOf: user.email.utf8)
    }

    /// Python's str(int): decimal digits, with a minus sign when negative.
    static func appendDecimal(_ value: Int64, to buffer: inout [UInt8]) {
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        Digits.append(value.magnitude, radix: 10, to: &buffer)
    }
}
