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

    /// A stored CRLF (one Swift Character, equal to neither "\r" nor "\n") or a comma with a
    /// combining mark after it must still quote the cell: unquoted, a spreadsheet starts a new
    /// row there, one that begins with a formula the defusing never saw.
    func testCSVCellsHoldingCRLFOrACommaWithACombiningMarkAreQuoted() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        try sql("INSERT INTO users (user_id, email, password, is_active, date_joined) VALUES ('eve', 'x\r\n=cmd|'' /C calc''!A0@example.com', '!x', 0, '2026-11-01 00:00:00')")
        try sql("INSERT INTO users (user_id, email, password, is_active, date_joined) VALUES ('mallory', 'a,\u{0301}b@example.com', '!x', 0, '2026-11-01 00:00:00')")
        let list = try run("/bin/sh", ["-c", "'\(Self.binary)' list --format csv > out.csv"])
        XCTAssertEqual(list.status, 0, list.stderr)
        let bytes = try String(contentsOfFile: directory + "/out.csv", encoding: .utf8)
        XCTAssertTrue(bytes.contains(",\"x\r\n=cmd|' /C calc'!A0@example.com\","), bytes.debugDescription)
        XCTAssertTrue(bytes.contains(",\"a,\u{0301}b@example.com\","), bytes.debugDescription)
        // Read back as a spreadsheet reads it: a header and two rows of the same width.
        let check = try run(try testPython(), ["-c", "import csv,sys; rows=list(csv.reader(open(sys.argv[1], newline=''))); print(len(rows), len({len(r) for r in rows}))", directory + "/out.csv"])
        XCTAssertEqual(check.stdout, "3 1\n", check.stderr)
    }

    /// A tab or a CR at the start of a cell is a formula's start to a spreadsheet too; rows that
    /// Django or sqlite3 wrote can hold either, since neither validates department or level.
    func testCSVCellsStartingWithATabOrCRAreDefused() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        try sql("INSERT INTO users (user_id, email, password, is_active, date_joined, department, level) VALUES ('tab', 'tab@example.com', '!x', 0, '2026-11-01 00:00:00', '\t=1+1', '\r=2+2')")
        let list = try accounts("list", "--format", "csv")
        XCTAssertEqual(list.status, 0, list.stderr)
        let rows = try run(try testPython(), ["-c", "import csv,sys; r=list(csv.reader(sys.stdin))[1]; print(repr(r[5]), repr(r[6]))"], stdin: list.stdout)
        XCTAssertEqual(rows.stdout, "\"'\\r=2+2\" \"'\\t=1+1\"\n", "level and department each get the leading quote: \(list.stdout.debugDescription)")
    }
}
