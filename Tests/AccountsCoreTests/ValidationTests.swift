import AccountsCore
import XCTest

final class ValidationTests: XCTestCase {
    func testEmailsDjangoAccepts() throws {
        XCTAssertEqual(try EmailAddress.normalize("Hong.Gil-dong+tag@Example.CO.KR"), "Hong.Gil-dong+tag@example.co.kr")
        XCTAssertEqual(try EmailAddress.normalize("\"very odd\"@example.com"), "\"very odd\"@example.com")
        XCTAssertEqual(try EmailAddress.normalize("a@[192.168.0.1]"), "a@[192.168.0.1]")
        XCTAssertEqual(try EmailAddress.normalize("a@xn--bcher-kva.example"), "a@xn--bcher-kva.example")
    }

    /// One reading of "the same address" for uniqueness, as SQLite's NOCASE: ASCII case only.
    func testTheSameAddressIgnoresASCIICaseOnly() {
        XCTAssertTrue(EmailAddress.same("Hong.Gil@Example.COM", "hong.gil@example.com"))
        XCTAssertEqual(EmailAddress.key("Hong@Example.COM"), "hong@example.com")
        XCTAssertFalse(EmailAddress.same("hong@example.com", "hong2@example.com"))
        XCTAssertFalse(EmailAddress.same("\"É\"@example.com", "\"é\"@example.com"), "as NOCASE: only ASCII letters fold")
        XCTAssertFalse(EmailAddress.same("ǅ@x.kr", "ǆ@x.kr"))
    }

    func testEmailsRejected() {
        let bad = ["", "plain", "@example.com", "a@", "a@b", "a@-b.com", "a@b-.com", "a..b@example.com", ".a@example.com",
                   "a b@example.com", "a@example.com\r\nBcc: x@y.com", "a@exa mple.com", "a@example.c", "a@example.123",
                   "<a@example.com>", "a@example.com\0", String(repeating: "a", count: 65) + "@example.com",
                   "a@" + String(repeating: "b", count: 64) + ".com", "a@bücher.de", "a@[300.1.1.1]"]
        for email in bad {
            XCTAssertThrowsError(try EmailAddress.normalize(email), email.debugDescription) { error in
                XCTAssertEqual((error as? AccountsError)?.kind, .badData)
                XCTAssertFalse("\(error)".contains("\n"), "one line")
            }
        }
    }

    func testUserIDsLikeDjangoUsernames() throws {
        XCTAssertEqual(try UserID.normalize("hong.gil-dong+1@site_2"), "hong.gil-dong+1@site_2")
        XCTAssertEqual(try UserID.normalize("홍길동"), "홍길동")
        XCTAssertEqual(try UserID.normalize("ｈｏｎｇ"), "hong", "NFKC, as Django's normalize_username")
        XCTAssertEqual(try UserID.normalize(String(repeating: "a", count: 150)).count, 150)
        XCTAssertEqual(try UserID.normalize("иван"), "иван", "one script is fine")
        XCTAssertEqual(try UserID.normalize("kim민수"), "kim민수", "Hangul with Latin is not a look-alike")
        for lookAlike in ["h\u{043E}ng", "\u{0391}lice", "ivan\u{0438}"] {
            XCTAssertThrowsError(try UserID.normalize(lookAlike), lookAlike) { error in
                XCTAssertTrue("\(error)".contains("which look alike"), "\(error)")
            }
        }
        for bad in ["", "a b", "a/b", "a\nb", "<script>", "a;DROP TABLE users", "'", String(repeating: "a", count: 151), "a\0b"] {
            XCTAssertThrowsError(try UserID.normalize(bad), bad.debugDescription)
        }
    }

    func testPastedLinks() {
        let expected = ActivationLink(uid: "MQ", token: "abc-123")
        for pasted in ["https://example.com/users/activate/MQ/abc-123/", "https://example.com/users/activate/MQ/abc-123",
                       "http://localhost:8000/a/MQ/abc-123/?utm_source=mail#top", "  /users/activate/MQ/abc-123/\n",
                       "MQ/abc-123", "https://x.test/%4DQ/abc%2D123/"] {
            XCTAssertEqual(ActivationLink(pasted: pasted), expected, pasted.debugDescription)
        }
        for pasted in ["", "MQ", "https://example.com", "https://example.com/", "https://example.com/MQ/",
                       "https://e.com/MQ/abc 123/", "https://e.com/MQ/%zz/", "https://e.com/MQ//"] {
            XCTAssertNil(ActivationLink(pasted: pasted), pasted.debugDescription)
        }
        XCTAssertEqual(try LinkTemplate("https://s.kr/users/activate/{uid}/{token}/").url(for: expected), "https://s.kr/users/activate/MQ/abc-123/")
        // A combining mark right after "/" makes one grapheme with it; the slash still separates.
        XCTAssertEqual(ActivationLink(pasted: "https://e.com/a/\u{05AC}x/\u{0301}y/"), ActivationLink(uid: "\u{05AC}x", token: "\u{0301}y"))
    }

    func testDurations() {
        XCTAssertEqual(DurationParser.seconds("72h"), 259_200)
        XCTAssertEqual(DurationParser.seconds("3d"), 259_200)
        XCTAssertEqual(DurationParser.seconds("1d12h30m15s"), 131_415)
        XCTAssertEqual(DurationParser.seconds("2w"), 1_209_600)
        for bad in ["", "3", "h", "3x", "-3d", "3d ", "1.5h", "99999999999999999w"] {
            XCTAssertNil(DurationParser.seconds(bad), bad)
        }
    }

    func testStorageDatesAsDjangoWritesThem() throws {
        let full = try XCTUnwrap(UTCDateTime(storageText: "2026-11-21 13:04:43.123456"))
        XCTAssertEqual(full.storageText, "2026-11-21 13:04:43.123456")
        XCTAssertEqual(full.wholeSecondsText, "2026-11-21 13:04:43")
        XCTAssertEqual(full.iso8601, "2026-11-21T13:04:43.123456Z")
        XCTAssertEqual(UTCDateTime(storageText: "2026-11-21 13:04:43")?.microseconds, 0, "Django drops a zero fraction")
        XCTAssertEqual(UTCDateTime(storageText: "2026-11-21 13:04:43.5")?.microseconds, 500_000)
        for bad in ["", "2026-02-30 00:00:00", "2026-11-21", "2026-11-21 25:00:00", "2026-11-21 13:04:43.1234567", "x026-11-21 13:04:43"] {
            XCTAssertNil(UTCDateTime(storageText: bad), bad)
        }
    }
}
