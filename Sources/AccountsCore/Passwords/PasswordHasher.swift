import Foundation

/// Django's `PBKDF2PasswordHasher` (`pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`) and its
/// unusable-password form, so a Django site and this tool accept each other's hashes.
public struct PasswordHasher: Sendable {
    public static let algorithm = "pbkdf2_sha256"
    /// Django 5.2's default work factor.
    public static let defaultIterations = 1_000_000

    /// `PBKDF2PasswordHasher.iterations` of each Django release (django/contrib/auth/hashers.py).
    /// Django rehashes at the next login any hash whose count differs from its own, and a lower
    /// count is weaker than the site's own policy until then.
    public static let djangoIterations: [(version: String, iterations: Int)] = [
        ("4.2", 600_000), ("5.0", 720_000), ("5.1", 870_000), ("5.2", 1_000_000), ("6.0", 1_200_000), ("6.1", 1_500_000),
    ]

    /// The work factor of Django `version` ("6.1", also "6.1.3"), nil for one not in the table.
    public static func iterations(forDjango version: String) -> Int? {
        let series = version.split(separator: ".").prefix(2).joined(separator: ".")
        return djangoIterations.first { $0.version == series }?.iterations
    }

    public let iterations: Int

    public init(iterations: Int = PasswordHasher.defaultIterations) {
        self.iterations = iterations
    }

    public func hash(_ password: String, salt: String? = nil) -> String {
        let salt = salt ?? OpenSSLCrypto.randomString(length: 22, alphabet: OpenSSLCrypto.alphanumerics)
        precondition(!salt.contains("$"), "a salt cannot contain '$'")
        let derived = OpenSSLCrypto.pbkdf2SHA256(password: Array(password.utf8), salt: Array(salt.utf8), iterations: iterations)
        return "\(Self.algorithm)$\(iterations)$\(salt)$\(Data(derived).base64EncodedString())"
    }

    /// True when `password` matches `encoded`; false for unusable, malformed or other-algorithm hashes.
    public func verify(_ password: String, against encoded: String) -> Bool {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == Self.algorithm,
              let rounds = Int(parts[1]), rounds > 0, rounds <= Int(Int32.max),
              let expected = Data(base64Encoded: String(parts[3])) else { return false }
        let derived = OpenSSLCrypto.pbkdf2SHA256(password: Array(password.utf8), salt: Array(parts[2].utf8),
                                                 iterations: rounds, length: expected.count == 0 ? 32 : expected.count)
        return OpenSSLCrypto.constantTimeEquals(derived, Array(expected))
    }

    /// Django's `make_password(None)`: "!" and 40 random characters, which no password matches.
    public static func unusable() -> String {
        "!" + OpenSSLCrypto.randomString(length: 40, alphabet: OpenSSLCrypto.alphanumerics)
    }

    public static func isUsable(_ encoded: String) -> Bool {
        !encoded.hasPrefix("!")
    }
}
