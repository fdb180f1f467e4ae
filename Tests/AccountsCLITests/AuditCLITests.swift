import Foundation
import XCTest

/// `accounts log` and `accounts restore` through the binary.
final class AuditCLITests: CLITestCase {
    func logJSON(_ arguments: String...) throws -> [[String: Any]] {
        let result = try accounts(["log", "--format", "json"] + arguments)
        XCTAssertEqual(result.status, 0, result.stderr)
        return try jsonArray(result.stdout)
    }

    func testEveryChangeIsLoggedWithTheOSUserAndOutcome() throws {
        let url = try initAndRegister("kim", "kim@example.com")
        try initAndRegister("hong", "hong@example.com")
        XCTAssertEqual(try accounts("activate", url).status, 0)
        // The SMTP server cannot be reached: the attempt is logged as failed.
        let failed = try accounts("send-activation", "hong", "--force", env: ["ACCOUNTS_EMAIL_HOST": "127.0.0.1", "ACCOUNTS_EMAIL_PORT": "9"])
        XCTAssertEqual(failed.status, 69)
        try sql("UPDATE users SET activation_sent_at = '2020-01-01 00:00:00' WHERE user_id = 'hong'")
        XCTAssertEqual(try accounts("purge-expired", "-q").status, 0)

        let entries = try logJSON()
        XCTAssertEqual(entries.map { "\($0["action"]!) \($0["user_id"]!) \($0["outcome"]!)" }, [
            "register kim ok", "send-activation kim ok", "register hong ok", "send-activation hong ok",
            "activate kim ok", "send-activation hong failed", "purge hong ok",
        ])
        let me = try run("/usr/bin/id", ["-un"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(Set(entries.compactMap { $0["os_user"] as? String }), [me])
        XCTAssertTrue((entries[5]["detail"] as? String ?? "").contains("SMTP connection to 127.0.0.1:9 failed"), "\(entries[5])")
        XCTAssertEqual(entries[4]["detail"] as? String, "link signed with SECRET_KEY")
        XCTAssertEqual(entries[6]["account_id"] as? Int, 2)

        // Filters: a purged account by email, an action, the newest n, a time.
        XCTAssertEqual(try logJSON("--user", "HONG@example.com").count, 4)
        XCTAssertEqual(try logJSON("--action", "activate").count, 1)
        XCTAssertEqual(try logJSON("--limit", "2").compactMap { $0["action"] as? String }, ["send-activation", "purge"])
        XCTAssertEqual(try logJSON("--since", "1h").count, 7)
        XCTAssertEqual(try logJSON("--since", "2999-01-01").count, 0)

        let table = try accounts("log", "--user", "kim")
        XCTAssertEqual(table.stdoutLines.count, 4, table.stdout)
        XCTAssertTrue(table.stdoutLines[0].hasPrefix("AT (UTC)"))
        let csv = try accounts("log", "--format", "csv", "--action", "purge")
        XCTAssertEqual(csv.stdoutLines.first, "id,at,os_user,action,account_id,user_id,outcome,detail")
        XCTAssertEqual(csv.stdoutLines.count, 2)

        // Nothing secret reaches the log.
        let secrets = try String(contentsOfFile: directory + "/secrets.json", encoding: .utf8)
        let secretKey = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(secrets.utf8)) as? [String: Any])?["SECRET_KEY"] as? String)
        XCTAssertFalse(try accounts("log", "--format", "json").stdout.contains(secretKey))
        XCTAssertFalse(try dump().contains(secretKey))
    }

    func testBadLogOptionsAreUsageErrors() throws {
        try initAndRegister()
        assertFails(try accounts("log", "--since", "yesterday"), 64, "--since 'yesterday' is neither a span")
        assertFails(try accounts("log", "--action", "remove"), 64, "--action 'remove' is not one of register")
        assertFails(try accounts("log", "--limit", "0"), 64, "--limit must be at least 1")
        assertFails(try accounts("log", "--database", "missing.sqlite3"), 66, "no database at missing.sqlite3")
    }

    func testRestoreBringsAPurgedAccountBackWithAWorkingLink() throws {
        try initAndRegister("hong", "hong@example.com", extra: ["--level", "3", "--department", "물리학과"])
        let before = try sql("SELECT id, user_id, email, password, level, department, date_joined FROM users")
        try sql("UPDATE users SET activation_sent_at = '2020-01-01 00:00:00'")
        XCTAssertEqual(try accounts("purge-expired").stdout, "purged 1 account\n")

        let restored = try accounts("restore", "hong")
        XCTAssertEqual(restored.status, 0, restored.stderr)
        XCTAssertEqual(restored.stdoutLines.count, 1, "only the URL")
        XCTAssertTrue(restored.stderr.contains("restored 'hong' <hong@example.com> (inactive, id 1)"), restored.stderr)
        XCTAssertEqual(try sql("SELECT id, user_id, email, password, level, department, date_joined FROM users"), before)
        XCTAssertEqual(try sql("SELECT count(*) FROM purged_users WHERE restored_at IS NULL"), ["0"])
        XCTAssertEqual(outboxFiles().count, 2, "a fresh mail")
        XCTAssertEqual(try accounts("purge-expired").stdout, "purged 0 accounts\n", "its window restarted")
        XCTAssertEqual(try accounts("activate", restored.stdoutLines[0]).status, 0)
        XCTAssertEqual(try logJSON("--user", "hong").compactMap { $0["action"] as? String },
                       ["register", "send-activation", "purge", "restore", "send-activation", "activate"])
    }

    func testRestoreRefusalsChangeNothing() throws {
        try initAndRegister("hong", "hong@example.com")
        try sql("UPDATE users SET activation_sent_at = '2020-01-01 00:00:00'")
        XCTAssertEqual(try accounts("purge-expired", "-q").status, 0)
        try initAndRegister("hong", "new@example.com")
        let before = try dump()
        assertFails(try accounts("restore", "nobody"), 67, "no purged account with user_id or email 'nobody'")
        assertFails(try accounts("restore", "hong@example.com"), 65, "cannot restore 'hong': account 'hong' now has its user_id or email")
        assertFails(try accounts("restore", "new@example.com"), 65, "account 'hong' is not purged: it exists, with id 2")
        assertFails(try accounts("restore"), 64, "name the account: USER, --id, --user-id or --email")
        XCTAssertEqual(try dump(), before)
    }
}
