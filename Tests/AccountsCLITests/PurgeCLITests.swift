import Foundation
import XCTest

final class PurgeCLITests: CLITestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        try initAndRegister("fresh", "fresh@example.com")
        try initAndRegister("stale", "stale@example.com")
        let url = try initAndRegister("oldactive", "old@example.com")
        XCTAssertEqual(try accounts("activate", url).status, 0)
        try initAndRegister("deactivated", "d@example.com")
        try initAndRegister("remailed", "r@example.com")
        try sql("""
            UPDATE users SET date_joined = '2020-01-01 00:00:00.000000', activation_sent_at = '2020-01-02 00:00:00.000000'
              WHERE user_id IN ('stale', 'oldactive', 'deactivated', 'remailed');
            UPDATE users SET activation_sent_at = strftime('%Y-%m-%d %H:%M:%f000', 'now') WHERE user_id = 'remailed';
            UPDATE users SET is_active = 0, last_login = '2020-01-03 00:00:00' WHERE user_id = 'deactivated';
            """)
    }

    func testDryRunShowsAndDeletesNothing() throws {
        let before = try dump()
        let result = try accounts("purge-expired", "--dry-run")
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdoutLines.count, 2)
        XCTAssertTrue(result.stdoutLines[0].contains("stale\tstale@example.com"))
        XCTAssertEqual(result.stdoutLines[1], "would purge 1 account")
        XCTAssertEqual(try dump(), before)
    }

    func testPurgeDeletesOnlyNeverActivatedExpiredAndArchives() throws {
        let result = try accounts("purge-expired")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "purged 1 account\n")
        XCTAssertEqual(try sql("SELECT user_id FROM users ORDER BY id"), ["fresh", "oldactive", "deactivated", "remailed"])
        XCTAssertEqual(try sql("SELECT user_id, email, date_joined FROM purged_users"), ["stale|stale@example.com|2020-01-01 00:00:00.000000"])
        XCTAssertEqual(try accounts("purge-expired").stdout, "purged 0 accounts\n")
    }

    func testQuietForCronAndJSONForScripts() throws {
        let quiet = try accounts("purge-expired", "--quiet")
        XCTAssertEqual(quiet.status, 0)
        XCTAssertEqual(quiet.stdout + quiet.stderr, "")
        XCTAssertEqual(try sql("SELECT count(*) FROM users"), ["4"])
        let json = try accounts("purge-expired", "--older-than", "1w", "--format", "json", "--dry-run")
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["would_purge"] as? Int, 0, "stale was purged by the quiet run")
        XCTAssertEqual(object["purged"] as? Int, 0)
        XCTAssertEqual(object["dry_run"] as? Bool, true)
    }

    func testOlderThanOverridesTheTimeout() throws {
        // Tokens count whole seconds: a link made at 10.9 s is 1 s old from 11.0 s on and too old
        // for a 1 s window only from 12.0 s on, whatever fraction it was made at.
        Thread.sleep(forTimeInterval: 2.1)
        let result = try accounts("purge-expired", "--older-than", "1s")
        XCTAssertEqual(result.stdout, "purged 3 accounts\n", "stale, fresh and remailed; never oldactive or deactivated")
        XCTAssertEqual(try sql("SELECT user_id FROM users ORDER BY id"), ["oldactive", "deactivated"])
        assertFails(try accounts("purge-expired", "--older-than", "3 days"), 64, "is not a duration")
    }
}
