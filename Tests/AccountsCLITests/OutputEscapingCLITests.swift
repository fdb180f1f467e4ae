import Foundation
import XCTest

/// Stored data that another program wrote reaches the operator escaped: never a terminal escape
/// sequence or a forged line in a message, never a formula in a spreadsheet.
final class OutputEscapingCLITests: CLITestCase {
    func testStoredControlCharactersAreEscapedInMessages() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        // Clears the screen, then forges a line of our own after a line break.
        let hostile = "eve\u{1B}[2J\u{1B}[H\naccounts: all good\u{202E}"
        try sql("INSERT INTO users (user_id, email, password, is_active, date_joined, activated_at) VALUES ('\(hostile)', 'eve@example.com', '!x', 1, '2026-11-01 00:00:00', '2026-11-02 00:00:00')")
        let result = try accounts("send-activation", "eve@example.com")
        assertFails(result, 65, "account 'eve\\u{1B}[2J\\u{1B}[H\\naccounts: all good\\u{202E}' is already active")
        XCTAssertFalse(result.stderr.contains("\u{1B}"), "no raw escape")
        XCTAssertFalse(result.stderr.contains("\u{202E}"), "no raw bidi override")
        let table = try accounts("list")
        XCTAssertFalse(table.stdout.contains("\u{1B}"))
        XCTAssertEqual(table.stdoutLines.count, 2, "the header and one line")
    }

    /// A cell starting with = + - @ is a formula to a spreadsheet (OWASP's CSV injection).
    func testCSVCellsThatASpreadsheetWouldRunAreDefused() throws {
        try initAndRegister("+1-2", "=cmd@example.com")
        // "--": the email starts with a dash.
        let second = try accounts("register", "--department", "=HYPERLINK(\"http://evil.example\")", "--", "@sum", "-x@example.com")
        XCTAssertEqual(second.status, 0, second.stderr)
        let list = try accounts("list", "--format", "csv")
        XCTAssertEqual(list.status, 0, list.stderr)
        let lines = list.stdoutLines
        XCTAssertEqual(lines.count, 3, list.stdout)
        guard lines.count == 3 else { return }
        XCTAssertTrue(lines[1].hasPrefix("1,'+1-2,'=cmd@example.com,pending,0,"), lines[1])
        XCTAssertTrue(lines[2].hasPrefix("2,'@sum,'-x@example.com,pending,0,2,\"'=HYPERLINK(\"\"http://evil.example\"\")\","), lines[2])
        let log = try accounts("log", "--format", "csv")
        XCTAssertTrue(log.stdout.contains(",'+1-2,ok,inactive account for =cmd@example.com"), log.stdout)
        let outbox = try accounts("outbox", "--format", "csv")
        XCTAssertTrue(outbox.stdout.contains(",1,'+1-2,'=cmd@example.com,sent,"), outbox.stdout)
        // JSON carries the data as it is.
        XCTAssertEqual(try jsonArray(try accounts("list", "--format", "json").stdout).first?["user_id"] as? String, "+1-2")
    }
}
