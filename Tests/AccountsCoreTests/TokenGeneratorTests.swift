import AccountsCore
import Foundation
import XCTest

final class TokenGeneratorTests: XCTestCase {
    struct Subject: TokenSubject {
        var id: Int64 = 7
        var password = "pbkdf2_sha256$1000000$salt$hash"
        var lastLogin: UTCDateTime? = nil
        var email = "a@example.com"
    }

    let issued = UTCDateTime(epochSeconds: 1_795_000_000, microseconds: 250_000)

    func testTimestampCountsFrom2001InTheConfiguredZone() {
        let utc = TokenGenerator(secretKey: "k")
        XCTAssertEqual(utc.timestamp(at: UTCDateTime(epochSeconds: 978_307_200)), 0)
        XCTAssertEqual(utc.timestamp(at: UTCDateTime(epochSeconds: 978_307_201, microseconds: 999_999)), 1)
        // Seoul is UTC+9 all year: Django's naive datetime.now() there is nine hours ahead.
        let seoul = TokenGenerator(secretKey: "k", timeZone: TimeZone(identifier: "Asia/Seoul")!)
        XCTAssertEqual(seoul.timestamp(at: issued) - utc.timestamp(at: issued), 9 * 3600)
    }

    func testValidThenExpiredAfterTheTimeout() {
        let generator = TokenGenerator(secretKey: "k", timeout: 100)
        let token = generator.makeToken(for: Subject(), at: issued)
        let ts = generator.timestamp(at: issued)
        XCTAssertEqual(generator.check(token, for: Subject(), at: issued.adding(seconds: 100)), .valid(keyIndex: 0, issuedAt: ts))
        XCTAssertEqual(generator.check(token, for: Subject(), at: issued.adding(seconds: 101)), .expired(keyIndex: 0, issuedAt: ts))
        XCTAssertEqual(generator.window.expiry(ofTimestamp: ts), UTCDateTime(epochSeconds: issued.epochSeconds + 101))
    }

    func testTokenIsBoundToEveryHashedField() {
        let generator = TokenGenerator(secretKey: "k")
        let token = generator.makeToken(for: Subject(), at: issued)
        XCTAssertEqual(generator.check(token, for: Subject(id: 8), at: issued), .invalid)
        XCTAssertEqual(generator.check(token, for: Subject(password: "other"), at: issued), .invalid)
        XCTAssertEqual(generator.check(token, for: Subject(email: "b@example.com"), at: issued), .invalid)
        // Activation sets last_login, which is what makes a link single-use.
        XCTAssertEqual(generator.check(token, for: Subject(lastLogin: issued), at: issued), .invalid)
    }

    func testLastLoginMicrosecondsDoNotMatter() {
        let generator = TokenGenerator(secretKey: "k")
        let a = Subject(lastLogin: UTCDateTime(epochSeconds: 1_700_000_000, microseconds: 1))
        let b = Subject(lastLogin: UTCDateTime(epochSeconds: 1_700_000_000, microseconds: 999_999))
        XCTAssertEqual(generator.makeToken(for: a, at: issued), generator.makeToken(for: b, at: issued))
    }

    func testFallbackKeysAreTriedInOrderAndRetiredKeysFail() {
        let old = TokenGenerator(secretKey: "old")
        let token = old.makeToken(for: Subject(), at: issued)
        let rotated = TokenGenerator(secretKey: "new", fallbacks: ["older", "old"])
        XCTAssertEqual(rotated.check(token, for: Subject(), at: issued), .valid(keyIndex: 2, issuedAt: old.timestamp(at: issued)))
        XCTAssertEqual(TokenGenerator(secretKey: "new").check(token, for: Subject(), at: issued), .invalid)
    }

    func testMalformedTokensAreInvalidNotCrashes() {
        let generator = TokenGenerator(secretKey: "k")
        let good = generator.makeToken(for: Subject(), at: issued)
        let hash = good.split(separator: "-")[1]
        let bad = ["", "-", "--", "abc", good + "-x", good.uppercased(), "zzzzzzzzzzzzzz-\(hash)", "-\(hash)",
                   "é-\(hash)", String(good.dropLast()), good + "0", "1-\(hash)", "\(good) ", "+1-\(hash)"]
        for token in bad {
            XCTAssertEqual(generator.check(token, for: Subject(), at: issued), .invalid, token)
        }
    }

    func testBase36() {
        XCTAssertEqual(Base36.encode(0), "0")
        XCTAssertEqual(Base36.encode(35), "z")
        XCTAssertEqual(Base36.encode(36), "10")
        XCTAssertEqual(Base36.encode(Int64.max), "1y2p0ij32e8e7")
        XCTAssertEqual(Base36.decode("1y2p0ij32e8e7"), Int64.max)
        XCTAssertNil(Base36.decode("1y2p0ij32e8e8"), "overflow")
        XCTAssertNil(Base36.decode("00000000000000"), "more than 13 digits")
        XCTAssertNil(Base36.decode("A"))
        XCTAssertNil(Base36.decode(""))
    }

    /// A purpose is Django's subclass: another key salt makes tokens that never check out for
    /// activation (nor the other way), and its own hash value decides what the token binds.
    func testAPurposeSeparatesTokensAndDecidesWhatTheyBind() {
        struct Invitation: TokenPurpose {
            let keySalt = "accounts.tests.Invitation"
            // Binds the email only: a changed password does not end it.
            func appendHashValue(of user: some TokenSubject, timestamp: Int64, to buffer: inout [UInt8]) {
                buffer.append(contentsOf: "\(user.id)|\(timestamp)|\(user.email)".utf8)
            }
        }
        let activation = TokenGenerator(secretKey: "k")
        let invitation = TokenGenerator(secretKey: "k", purpose: Invitation())
        XCTAssertEqual(activation.purpose.keySalt, "django.contrib.auth.tokens.PasswordResetTokenGenerator", "Django's default_token_generator")
        let forActivation = activation.makeToken(for: Subject(), at: issued)
        let forInvitation = invitation.makeToken(for: Subject(), at: issued)
        XCTAssertNotEqual(forActivation, forInvitation)
        XCTAssertEqual(invitation.check(forActivation, for: Subject(), at: issued), .invalid)
        XCTAssertEqual(activation.check(forInvitation, for: Subject(), at: issued), .invalid)
        var changed = Subject()
        changed.password = "!unusable"
        XCTAssertEqual(activation.check(forActivation, for: changed, at: issued), .invalid, "activation binds the password")
        guard case .valid = invitation.check(forInvitation, for: changed, at: issued) else { return XCTFail("the invitation binds only the email") }
        changed.email = "b@example.com"
        XCTAssertEqual(invitation.check(forInvitation, for: changed, at: issued), .invalid)
    }
}
