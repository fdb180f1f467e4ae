import Foundation
import XCTest

/// `register --from-csv`: checking every row first, one transaction, re-runs that add nothing twice.
final class BulkRegisterCLITests: CLITestCase {
    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
    }

    func testEveryBadRowIsReportedWithItsLineAndNothingIsWritten() throws {
        try initAndRegister("taken", "taken@example.com")
        try write("class.csv", """
            \u{FEFF}user_id,email,department
            hong,hong@example.com,"Physics
            and Math"
            kim,not-an-email,
            lee,lee@example.com,물리학과
            park,LEE@example.com,
            taken,other@example.com,
            choi,TAKEN@example.com,
            h\u{043E}ng,hong2@example.com,

            yoon,yoon@example.com,수학과
            """)
        let before = try dump()
        let result = try accounts("register", "--from-csv", "class.csv")
        XCTAssertEqual(result.status, 65)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(result.stderr.split(separator: "\n").map(String.init), [
            "accounts: class.csv: line 2: invalid department 'Physics\\nand Math': it contains control characters",
            "accounts: class.csv: line 4: invalid email 'not-an-email': no '@'",
            "accounts: class.csv: line 6: email 'LEE@example.com' is already on line 5",
            "accounts: class.csv: line 7: user_id 'taken' is already registered with another email (taken@example.com)",
            "accounts: class.csv: line 8: email 'TAKEN@example.com' is already registered (to user_id 'taken')",
            "accounts: class.csv: line 9: invalid user_id 'h\u{043E}ng': it mixes Latin and Cyrillic letters, which look alike",
            "accounts: 6 of 8 rows are not valid; nothing was registered (fix them, or pass --skip-invalid)",
        ])
        XCTAssertEqual(try dump(), before, "nothing written")

        let skipped = try accounts("register", "--from-csv", "class.csv", "--skip-invalid", "--format", "json")
        XCTAssertEqual(skipped.status, 0, skipped.stderr)
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(skipped.stdout.utf8)) as? [String: Int])
        XCTAssertEqual(summary["registered"], 2)
        XCTAssertEqual(summary["invalid"], 6)
        XCTAssertEqual(summary["mailed"], 2)
        XCTAssertEqual(try sql("SELECT user_id, department FROM users WHERE id > 1 ORDER BY id"), ["lee|물리학과", "yoon|수학과"])
        XCTAssertEqual(outboxFiles().count, 3)
    }

    func testAReRunRegistersNothingTwiceAndMailsOnlyTheUnmailed() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        try write("list.csv", "email,user_id,level\n" + (0..<50).map { "u\($0)@example.com,u\($0),\($0 % 3)" }.joined(separator: "\n"))
        let first = try accounts("register", "--from-csv", "list.csv", "--no-send")
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(try sql("SELECT count(*), count(DISTINCT level) FROM users"), ["50|3"])
        XCTAssertEqual(outboxFiles().count, 0)
        // One was mailed meanwhile by hand; the re-run mails the other 49, once.
        XCTAssertEqual(try accounts("send-activation", "u7").status, 0)
        let second = try accounts(["register", "--from-csv", "-", "--concurrency", "3"], stdin: try String(contentsOfFile: directory + "/list.csv", encoding: .utf8))
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stderr.contains("registered 0 new accounts (50 already there, 0 rows skipped); mailing 49"), second.stderr)
        XCTAssertEqual(outboxFiles().count, 50)
        let third = try accounts("register", "--from-csv", "list.csv")
        XCTAssertEqual(third.status, 0)
        XCTAssertEqual(outboxFiles().count, 50, "nothing mailed twice")
        XCTAssertEqual(try sql("SELECT count(*) FROM users"), ["50"])
    }

    /// On a terminal (a real pty), the bar is redrawn in place with the count, rate and time left.
    func testProgressBarOnATerminal() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        try write("class.csv", "user_id,email\n" + (0..<200).map { "p\($0),p\($0)@example.com" }.joined(separator: "\n"))
        let result = try onATerminal(["register", "--from-csv", "class.csv"])
        XCTAssertEqual(result.status, 0, result.stdout)
        XCTAssertTrue(result.stdout.contains("\r\u{1B}[Kmailing ["), result.stdout.prefix(300).description)
        XCTAssertTrue(result.stdout.contains("200/200"), result.stdout.suffix(300).description)
        XCTAssertTrue(result.stdout.contains("/s  ETA "))
        XCTAssertTrue(result.stdout.contains("mailed 200, failed 0"))
        XCTAssertEqual(outboxFiles().count, 200)
    }

    func testBadFilesAndOptions() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        try write("empty.csv", "")
        try write("nohead.csv", "hong,hong@example.com\n")
        try write("extra.csv", "user_id,email,phone\nhong,hong@example.com,010\n")
        try write("short.csv", "user_id,email,level\nhong,hong@example.com\n")
        let before = try dump()
        assertFails(try accounts("register", "--from-csv", "missing.csv"), 66, "cannot read missing.csv")
        assertFails(try accounts("register", "--from-csv", "empty.csv"), 65, "empty.csv is empty: it needs a header row")
        assertFails(try accounts("register", "--from-csv", "nohead.csv"), 65, "unknown column 'hong'")
        assertFails(try accounts("register", "--from-csv", "extra.csv"), 65, "unknown column 'phone'")
        assertFails(try accounts("register", "--from-csv", "short.csv"), 65, "line 2: 2 fields, but the header has 3")
        assertFails(try accounts("register", "hong", "hong@example.com", "--from-csv", "short.csv"), 64, "not both")
        assertFails(try accounts("register", "--from-csv", "short.csv", "--password-stdin"), 64, "unusable password")
        assertFails(try accounts("register", "--from-csv", "short.csv", "--concurrency", "0"), 64, "--concurrency must be from 1 to 32")
        assertFails(try accounts("register", "hong", "hong@example.com", "--skip-invalid"), 64, "--skip-invalid goes with --from-csv")
        XCTAssertEqual(try dump(), before)
    }
}

/// A class of 1,000 through a real SMTP server that goes away halfway and comes back.
final class BulkDeliveryCLITests: SMTPCLITestCase {
    func testAThousandRowsSurviveTheServerStoppingHalfwayAndEachMailGoesOutOnce() throws {
        let rows = 1000
        let csv = "user_id,email\n" + (0..<rows).map { "s\($0),s\($0)@example.com" }.joined(separator: "\n") + "\n"
        try csv.write(toFile: directory + "/class.csv", atomically: true, encoding: .utf8)
        let first = try server("starttls")

        // Start the run, and stop the server once about a third has arrived.
        let (process, _, errors) = try startAccounts(["register", "--from-csv", "class.csv", "--concurrency", "4"])
        let deadline = Date().addingTimeInterval(60)
        while first.received.count < rows / 3 && Date() < deadline && process.isRunning {
            Thread.sleep(forTimeInterval: 0.02)
        }
        first.stop()
        process.waitUntilExit()
        let firstErrors = try String(contentsOfFile: errors, encoding: .utf8)
        XCTAssertEqual(process.terminationStatus, 75, firstErrors.suffix(600).description)
        XCTAssertTrue(firstErrors.contains("registered 1000 new accounts"), firstErrors.prefix(300).description)
        XCTAssertTrue(firstErrors.contains("not mailed: "), "failures are listed")
        let delivered = try first.received.flatMap { try first.envelope($0)["rcpt_tos"] as? [String] ?? [] }
        XCTAssertGreaterThan(delivered.count, 0)
        XCTAssertLessThan(delivered.count, rows, "the server really went away halfway")
        XCTAssertEqual(try sql("SELECT count(*) FROM users"), ["\(rows)"])

        // Back again: the same file registers nothing and mails only what did not go out.
        let second = try server("starttls")
        let rerun = try accounts("register", "--from-csv", "class.csv", "--concurrency", "4")
        XCTAssertEqual(rerun.status, 0, rerun.stderr.suffix(600).description)
        XCTAssertTrue(rerun.stderr.contains("registered 0 new accounts (1000 already there"), rerun.stderr.prefix(300).description)
        let redelivered = try second.received.flatMap { try second.envelope($0)["rcpt_tos"] as? [String] ?? [] }
        let all = delivered + redelivered
        XCTAssertEqual(Set(all).count, rows, "every account got its mail")
        // A message the server took but could not confirm before it stopped went out again on the
        // re-run (at most one per connection); every other one went out exactly once.
        XCTAssertLessThanOrEqual(all.count - rows, 4)
        XCTAssertEqual(try sql("SELECT count(*) FROM outbox WHERE state = 'sent'"), ["\(rows)"])
        XCTAssertEqual(try sql("SELECT count(*) FROM users WHERE activation_sent_at IS NULL"), ["0"])
        let third = try accounts("register", "--from-csv", "class.csv")
        XCTAssertEqual(third.status, 0)
        XCTAssertEqual(second.received.count, redelivered.count, "a third run sends nothing")
    }
}
