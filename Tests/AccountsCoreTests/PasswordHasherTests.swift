import AccountsCore
import XCTest

final class PasswordHasherTests: XCTestCase {
    func testHashShapeMatchesDjango() {
        let encoded = PasswordHasher(iterations: 1000).hash("secret")
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        XCTAssertEqual(parts.count, 4)
        XCTAssertEqual(parts[0], "pbkdf2_sha256")
        XCTAssertEqual(parts[1], "1000")
        XCTAssertEqual(parts[2].count, 22)
        XCTAssertTrue(parts[2].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        XCTAssertEqual(parts[3].count, 44, "32 bytes of base64 with padding")
        XCTAssertTrue(PasswordHasher().verify("secret", against: encoded))
        XCTAssertFalse(PasswordHasher().verify("Secret", against: encoded))
    }

    func testDefaultIsDjango52WorkFactor() {
        XCTAssertEqual(PasswordHasher().iterations, 1_000_000)
    }

    func testSaltsDiffer() {
        let hasher = PasswordHasher(iterations: 1)
        XCTAssertNotEqual(hasher.hash("x"), hasher.hash("x"))
    }

    func testUnusablePasswordsMatchNothing() {
        let unusable = PasswordHasher.unusable()
        XCTAssertTrue(unusable.hasPrefix("!"))
        XCTAssertEqual(unusable.count, 41)
        XCTAssertFalse(PasswordHasher.isUsable(unusable))
        XCTAssertFalse(PasswordHasher().verify("", against: unusable))
        XCTAssertNotEqual(PasswordHasher.unusable(), unusable)
    }

    func testMalformedHashesAreFalseNotCrashes() {
        for encoded in ["", "$$$", "pbkdf2_sha256$0$s$aGFzaA==", "pbkdf2_sha256$-1$s$aGFzaA==", "pbkdf2_sha256$x$s$aGFzaA==",
                        "pbkdf2_sha256$99999999999$s$aGFzaA==", "md5$1$s$h", "pbkdf2_sha256$1$s$not base64"] {
            XCTAssertFalse(PasswordHasher().verify("x", against: encoded), encoded)
        }
    }

    /// A hash that is right in every field but the algorithm's name does not verify: the name
    /// says how the rest was made, and only pbkdf2_sha256 is made this way.
    func testAWellFormedHashUnderAnotherAlgorithmNameDoesNotVerify() {
        let hasher = PasswordHasher(iterations: 1_000)
        let genuine = hasher.hash("secret", salt: "salt")
        XCTAssertTrue(hasher.verify("secret", against: genuine))
        let fields = genuine.split(separator: "$", maxSplits: 1)[1]
        for name in ["pbkdf2_sha1", "argon2", "bcrypt_sha256", "PBKDF2_SHA256", "pbkdf2_sha256 ", ""] {
            XCTAssertFalse(hasher.verify("secret", against: "\(name)$\(fields)"), name)
        }
    }

    func testConstantTimeEquals() {
        XCTAssertTrue(OpenSSLCrypto.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        XCTAssertFalse(OpenSSLCrypto.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        XCTAssertFalse(OpenSSLCrypto.constantTimeEquals([1, 2, 3], [1, 2]))
        XCTAssertTrue(OpenSSLCrypto.constantTimeEquals([], []))
    }

    func testRandomStringIsUniformOverItsAlphabet() {
        let text = OpenSSLCrypto.randomString(length: 62_000, alphabet: OpenSSLCrypto.alphanumerics)
        var counts: [Character: Int] = [:]
        for character in text { counts[character, default: 0] += 1 }
        XCTAssertEqual(counts.count, 62)
        // Each expected 1000 times; 6 standard deviations (about 190) either way is generous.
        XCTAssertTrue(counts.values.allSatisfy { (800...1200).contains($0) }, "\(counts.values.sorted())")
    }
}
