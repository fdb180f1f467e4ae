import AccountsCore
import Foundation
import XCTest

final class MailMessageTests: XCTestCase {
    func message(subject: String = "hong님의 회원가입 인증메일 입니다.", from: String = "Site <noreply@example.com>") -> MailMessage {
        MailMessage(from: from, to: "hong@example.com", subject: subject, textBody: "안녕\nhttps://x/a/MQ/t/\n",
                    htmlBody: "<p>안녕</p>", date: UTCDateTime(epochSeconds: 1_795_000_000))
    }

    func testStructure() throws {
        let text = try message().rendered()
        let lines = text.components(separatedBy: "\r\n")
        XCTAssertFalse(text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "every line ends in CRLF")
        XCTAssertTrue(lines.allSatisfy { $0.utf8.count <= 78 }, "short lines")
        XCTAssertTrue(text.contains("Content-Type: multipart/alternative;\r\n boundary=\"=_accounts_"))
        XCTAssertTrue(text.contains("MIME-Version: 1.0\r\n"))
        XCTAssertTrue(text.contains("Date: Wed, 18 Nov 2026 11:06:40 +0000\r\n"), text)
        XCTAssertTrue(lines.contains("From: \"Site\" <noreply@example.com>"), text)
        XCTAssertTrue(text.range(of: "Message-ID: <[0-9]+\\.[0-9a-f]{16}@example\\.com>\r\n", options: .regularExpression) != nil)
        let plain = try XCTUnwrap(text.range(of: "text/plain; charset=utf-8"))
        let html = try XCTUnwrap(text.range(of: "text/html; charset=utf-8"))
        XCTAssertLessThan(plain.lowerBound, html.lowerBound, "text first, then HTML")
    }

    func testSubjectIsEncodedWordsThatDecodeToTheOriginal() throws {
        let subject = "hong님의 회원가입 인증메일 입니다."
        let text = try message(subject: subject).rendered()
        let header = try XCTUnwrap(text.components(separatedBy: "\r\n\r\n").first)
        let start = try XCTUnwrap(header.range(of: "Subject: "))
        var decoded = ""
        for word in header[start.upperBound...].components(separatedBy: "\r\n ") {
            guard word.hasPrefix("=?UTF-8?B?") else { break }
            let payload = word.dropFirst(10).prefix(while: { $0 != "?" })
            decoded += String(decoding: try XCTUnwrap(Data(base64Encoded: String(payload))), as: UTF8.self)
        }
        XCTAssertEqual(decoded, subject)
    }

    /// The Message-ID's domain comes from the From address; a CRLF there (one Character, equal
    /// to neither "\r" nor "\n") must not reach it.
    func testAMessageIDNeverTakesALineBreakFromTheFromAddress() throws {
        for from in ["noreply@ex\r\nample.com", "noreply@ex\rample.com", "noreply@example.com>\u{0301}"] {
            let id = message(from: from).messageID
            XCTAssertFalse(id.utf8.contains(13) || id.utf8.contains(10), id.debugDescription)
            XCTAssertTrue(id.hasSuffix("@localhost>"), id.debugDescription)
        }
    }

    func testNoLineBreakReachesAHeader() throws {
        let injected = try message(subject: "hi\r\nBcc: victim@example.com").rendered()
        XCTAssertFalse(injected.contains("\r\nBcc:"), "the subject's line break was folded away")
        XCTAssertThrowsError(try MailMessage(from: "a@example.com", to: "x@example.com\r\nBcc: v@example.com",
                                             subject: "s", textBody: "", htmlBody: "").rendered())
        XCTAssertThrowsError(try message(from: "a@example.com\nBcc: v@example.com").rendered())
    }

    func testNonASCIIDisplayNameIsEncoded() throws {
        let text = try message(from: "컴퓨터공학부 <noreply@example.com>").rendered()
        XCTAssertTrue(text.contains("From: =?UTF-8?B?"), text)
        XCTAssertTrue(text.contains(" <noreply@example.com>\r\n"))
        XCTAssertEqual(message(from: "컴퓨터공학부 <noreply@example.com>").fromAddress, "noreply@example.com")
    }

    func testBodiesRoundTrip() throws {
        let text = try message().rendered()
        let parts = text.components(separatedBy: "Content-Transfer-Encoding: base64\r\n\r\n")
        XCTAssertEqual(parts.count, 3)
        let body = parts[1].components(separatedBy: "\r\n--").first!.replacingOccurrences(of: "\r\n", with: "")
        XCTAssertEqual(String(decoding: try XCTUnwrap(Data(base64Encoded: body)), as: UTF8.self), "안녕\r\nhttps://x/a/MQ/t/\r\n")
    }
}
