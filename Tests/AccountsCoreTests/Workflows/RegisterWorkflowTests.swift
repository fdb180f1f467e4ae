@testable import AccountsCore
import XCTest

/// `register`: validation before anything is written, the account and its first mail, what a
/// failed mail leaves.
final class RegisterWorkflowTests: WorkflowTestCase {
    func testRegistersAnInactiveAccountWithAnUnusablePasswordAndMailsItsLink() throws {
        let outcome = try register("hong")
        XCTAssertFalse(outcome.user.isActive)
        XCTAssertFalse(PasswordHasher.isUsable(outcome.user.password), "no password option: Django's unusable password")
        XCTAssertEqual(mailer.sent.map(\.to), ["hong@example.com"])
        XCTAssertEqual(mailer.link(), outcome.link.link, "the mail carries the link register returns")
        XCTAssertEqual(UIDCodec.decode(outcome.link.link.uid), outcome.user.id)
        XCTAssertEqual(try outbox().map(\.state), [.sent])
        XCTAssertEqual(try store.user(id: outcome.user.id)?.activationSentAt, t0, "the window starts with the mail")
        XCTAssertEqual(try audit(), ["register hong ok", "send-activation hong ok"])
        XCTAssertEqual(outcome.link.expiresAt, UTCDateTime(epochSeconds: t0.epochSeconds + timeout + 1), "PASSWORD_RESET_TIMEOUT after the token's second")
    }

    func testAPasswordIsHashedAndAnEmptyOneRefused() throws {
        let outcome = try register("kim", password: "correct horse")
        XCTAssertTrue(PasswordHasher(iterations: 1_000).verify("correct horse", against: outcome.user.password))
        assertRefused(.badData, try register("lee", password: ""))
        XCTAssertNil(try store.user(matching: .either("lee")), "nothing written")
        // 4,096 bytes are taken (a Hangul syllable is three), one more is refused, for every front end.
        assertRefused(.badData, try register("lee", password: String(repeating: "가", count: 1365) + "ab"), "4,097 bytes")
        XCTAssertNil(try store.user(matching: .either("lee")), "nothing written")
        XCTAssertNoThrow(try register("lee", password: String(repeating: "가", count: 1365) + "a"))
    }

    func testWithoutSendingOnlyTheLinkIsMade() throws {
        let outcome = try register("hong", send: false)
        XCTAssertEqual(mailer.sent.count, 0)
        XCTAssertEqual(try outbox().count, 0)
        XCTAssertNil(try store.user(id: outcome.user.id)?.activationSentAt)
        XCTAssertEqual(try audit(), ["register hong ok"])
    }

    /// Refused input changes nothing: no row, no mail, no audit entry.
    func testInvalidInputIsRefusedBeforeAnythingIsWritten() throws {
        let tooLong = String(repeating: "가", count: 151)
        for (userID, email, level, department) in [
            ("bad id", "a@example.com", nil, nil), (tooLong, "a@example.com", nil, nil), ("", "a@example.com", nil, nil),
            ("ok", "not-an-email", nil, nil), ("ok", "a\u{7}@example.com", nil, nil), ("ok", "\"a\\\u{7}b\"@example.com", nil, nil),
            ("ok", "\"a\\\r\\\nBcc: x@y.z\"@example.com", nil, nil), ("ok", "a@example.com\u{85}", nil, nil),
            ("ok", String(repeating: "a", count: 65) + "@example.com", nil, nil),
            ("ok", "a@example.com", String(repeating: "x", count: 151), nil),
            ("ok", "a@example.com", nil, String(repeating: "x", count: 151)),
            ("ok", "a@example.com", nil, "line\nbreak"), ("ok", "a@example.com", "\u{1B}[2J", nil),
            ("ok", "a@example.com", nil, "컴퓨터\u{200B}\u{0085}"),
        ] as [(String, String, String?, String?)] {
            assertRefused(.badData, try register(userID, email, level: level, department: department), "\(userID) \(email)")
        }
        XCTAssertEqual(try users().count, 0)
        XCTAssertEqual(mailer.sent.count, 0)
        XCTAssertEqual(try audit(), [])
    }

    /// 150 characters is the limit of user_id and of the free-text fields, counted in Unicode
    /// scalars (Django's max_length), ASCII or not; the email's local part 64 bytes.
    func testFieldLimitsAreOneHundredFiftyAcceptedAndOneHundredFiftyOneRefused() throws {
        let hangul150 = String(repeating: "가", count: 150)
        XCTAssertEqual(try register(hangul150, "a@example.com").user.userID, hangul150)
        XCTAssertEqual(try register(String(repeating: "b", count: 150), "b@example.com").user.userID.count, 150)
        let fields = try register("c", "c@example.com", level: String(repeating: "l", count: 150), department: String(repeating: "부", count: 150)).user
        XCTAssertEqual(fields.level?.count, 150)
        XCTAssertEqual(fields.department?.count, 150)
        XCTAssertEqual(try register("d", String(repeating: "d", count: 64) + "@example.com").user.email.count, 64 + 12)
        for (userID, level, department) in [(String(repeating: "가", count: 151), nil, nil), (String(repeating: "e", count: 151), nil, nil),
                                            ("e", String(repeating: "l", count: 151), nil), ("e", nil, String(repeating: "부", count: 151))] as [(String, String?, String?)] {
            assertRefused(.badData, try register(userID, "e@example.com", level: level, department: department))
        }
        XCTAssertNil(try store.user(matching: .either("e@example.com")))
    }

    func testADuplicateIsRefusedAndNothingIsSent() throws {
        try register("hong")
        assertRefused(.badData, try register("hong", "other@example.com"))
        assertRefused(.badData, try register("other", "HONG@example.com"), "email duplicates ignore case")
        XCTAssertEqual(mailer.sent.count, 1)
        XCTAssertEqual(try users().count, 1)
    }

    /// The account stays when its mail fails; a temporary failure leaves the mail for a retry,
    /// a permanent one does not, and neither starts the window.
    func testAFailedMailKeepsTheAccountAndSaysWhatHappensNext() throws {
        mailer.failures = [RecordingMailBackend.temporary]
        let temporary = assertRefused(.temporary, try register("hong"))
        XCTAssertEqual(temporary?.hint, .sendWaitingMail(userID: "hong"))
        let hong = try XCTUnwrap(try store.user(matching: .either("hong")))
        XCTAssertNil(hong.activationSentAt, "no mail went, so no window started")
        XCTAssertEqual(try outbox().map(\.state), [.failedTemporary])

        mailer.failures = [RecordingMailBackend.permanent]
        let permanent = assertRefused(.unavailable, try register("kim"))
        XCTAssertEqual(permanent?.hint, .checkAddressThenSendNewLink(userID: "kim"))
        XCTAssertNotNil(try store.user(matching: .either("kim")))
        XCTAssertEqual(try outbox().map(\.state), [.failedTemporary, .failedPermanent])
        XCTAssertEqual(mailer.sent.count, 0)
    }
}
