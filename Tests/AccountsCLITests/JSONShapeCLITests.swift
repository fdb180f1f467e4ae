import Foundation
import XCTest

/// The JSON shapes documented in docs/json.md, field by field and in order: a script that reads
/// them must not break when the tool is upgraded.
final class JSONShapeCLITests: CLITestCase {
    /// The keys of a JSON object in the order they were written.
    func keys(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        let pattern = try! NSRegularExpression(pattern: #"(?:^\{|\[\{|,)"([a-z_]+)":"#)
        let range = NSRange(text.startIndex..., in: text)
        return pattern.matches(in: text, range: range).map { String(text[Range($0.range(at: 1), in: text)!]) }
    }

    func testShapesAreAsDocumented() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        let linkFields = ["id", "user_id", "email", "activation_url", "uid", "token", "expires_at", "mail"]
        let registered = try accounts("register", "hong", "hong@example.com", "--format", "json")
        XCTAssertEqual(keys(registered.stdout), linkFields)
        let url = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(registered.stdout.utf8)) as? [String: Any])?["activation_url"] as? String)
        XCTAssertEqual(keys(try accounts("send-activation", "hong", "--force", "--format", "json").stdout), linkFields)

        let inspected = try accounts("inspect", "--format", "json", url)
        XCTAssertEqual(keys(inspected.stdout), ["account_id", "user_id", "email", "state", "issued_at", "expires_at", "key",
                                                "would_activate", "reason"])
        XCTAssertEqual(keys(try accounts("activate", "--format", "json", try accounts("send-activation", "hong", "--force").stdout).stdout),
                       ["id", "user_id", "email", "activated_at", "key"])

        let row = try XCTUnwrap(try accounts("list", "--format", "json").stdoutLines.dropFirst().first)
        XCTAssertEqual(keys(row), ["id", "user_id", "email", "state", "is_active", "level", "department", "date_joined",
                                   "last_login", "activation_sent_at", "activated_at"])
        let entry = try XCTUnwrap(try accounts("log", "--format", "json").stdoutLines.dropFirst().first)
        XCTAssertEqual(keys(entry), ["id", "at", "os_user", "action", "account_id", "user_id", "outcome", "detail"])

        try initAndRegister("kim", "kim@example.com")
        try sql("UPDATE users SET activation_sent_at = '2020-01-01 00:00:00' WHERE user_id = 'kim'")
        let preview = try accounts("purge-expired", "--dry-run", "--format", "json").stdout
        XCTAssertEqual(keys(preview), ["purged", "would_purge", "dry_run", "cutoff", "accounts", "id", "user_id", "email",
                                       "activation_window_started"])
        let previewObject = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(preview.utf8)) as? [String: Any])
        XCTAssertEqual((previewObject["accounts"] as? [[String: Any]])?.first?["user_id"] as? String, "kim")
        XCTAssertEqual(keys(try accounts("purge-expired", "--format", "json").stdout), ["purged", "would_purge", "dry_run", "cutoff", "accounts"])
        XCTAssertEqual(keys(try accounts("restore", "kim", "--format", "json").stdout), linkFields)

        try "user_id,email\nlee,lee@example.com\n".write(toFile: directory + "/one.csv", atomically: true, encoding: .utf8)
        XCTAssertEqual(keys(try accounts("register", "--from-csv", "one.csv", "--format", "json").stdout),
                       ["rows", "registered", "already_registered", "invalid", "mailed", "failed", "sent_by_another_process"])
        XCTAssertEqual(keys(try accounts("send-activation", "--pending", "--format", "json").stdout),
                       ["pending", "mailed", "failed", "sent_by_another_process"])
        let mail = try XCTUnwrap(try accounts("outbox", "list", "--format", "json").stdoutLines.dropFirst().first)
        XCTAssertEqual(keys(mail), ["id", "account_id", "user_id", "recipient", "state", "attempts", "last_code", "last_reply",
                                    "created_at", "updated_at", "next_attempt_at", "sent_at", "kind"])
        XCTAssertEqual(keys(try accounts("outbox", "retry", "--format", "json").stdout),
                       ["sent", "failed_temporary", "failed_permanent", "dropped", "skipped", "not_tried", "waiting", "next_attempt_at"])
    }
}
