import AccountsCore
import Foundation
import XCTest

/// "Never activated" is one rule, which every path uses, also for rows other programs wrote: an
/// account that was active once is never mailed a link, activated by one, listed as expired or
/// purged. And links the clock could not have made, or ids no link can carry, are refused cleanly.
final class NeverActivatedCLITests: CLITestCase {
    /// hong activated, then deactivated by an administrator (is_active back to 0).
    func deactivatedHong() throws -> String {
        let url = try initAndRegister()
        // A link made while the account is active, as a Django site could mail one (a password
        // reset link is the same token).
        XCTAssertEqual(try accounts("activate", url).status, 0)
        try sql("UPDATE users SET is_active = 0 WHERE user_id = 'hong'")
        return url
    }

    func tokenForHong(at instant: UTCDateTime = .now(), timeZone: String = "UTC") throws -> String {
        let key = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/secrets.json"))) as? [String: Any])["SECRET_KEY"] as? String
        let row = try sql("SELECT id, email, password, coalesce(last_login, '') FROM users WHERE user_id = 'hong'")[0].split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        let hong = User(id: Int64(row[0])!, userID: "hong", email: row[1], password: row[2], dateJoined: .now(),
                        lastLogin: row[3].isEmpty ? nil : UTCDateTime(storageText: row[3]))
        return TokenGenerator(secretKey: try XCTUnwrap(key), timeZone: TimeZone(identifier: timeZone)!).makeToken(for: hong, at: instant)
    }

    func testADeactivatedAccountIsNeverMailedNorReactivatedByALink() throws {
        _ = try deactivatedHong()
        let tokenWhileActive = try tokenForHong()
        let before = try dump()
        assertFails(try accounts("send-activation", "hong"), 65, "account 'hong' was deactivated after it had been active; no activation mail sent")
        assertFails(try accounts("send-activation", "hong", "--force"), 65, "was deactivated after it had been active")
        assertFails(try accounts("activate", "MQ", tokenWhileActive), 65, "an activation link cannot reactivate it (that is an administrator's act)")
        XCTAssertEqual(try dump(), before, "nothing changed")
        let pending = try accounts("send-activation", "--pending", "--format", "json")
        XCTAssertEqual(pending.status, 0, pending.stderr)
        XCTAssertEqual(try JSONSerialization.jsonObject(with: Data(pending.stdout.utf8)) as? [String: Int],
                       ["pending": 0, "mailed": 0, "failed": 0, "sent_by_another_process": 0])
        let inspected = try accounts("inspect", "MQ", tokenWhileActive, "--format", "json")
        XCTAssertEqual(inspected.status, 65)
        let found = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(inspected.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(found["state"] as? String, "inactive")
        XCTAssertEqual(found["would_activate"] as? Bool, false)
        XCTAssertEqual(outboxFiles().count, 1, "only the first link ever went out")
        XCTAssertEqual(try sql("SELECT is_active FROM users"), ["0"])
    }

    /// A mail queued before the deactivation is dropped, not sent, when its time comes.
    func testTheOutboxDropsAMailQueuedBeforeTheDeactivation() throws {
        _ = try deactivatedHong()
        try sql("""
            INSERT INTO outbox (account_id, recipient, state, attempts, created_at, updated_at, next_attempt_at)
            VALUES (1, 'hong@example.com', 'failed-temporary', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00', '2026-01-01 00:00:00')
            """)
        let retried = try accounts("outbox", "retry")
        XCTAssertEqual(retried.status, 0, retried.stderr)
        XCTAssertTrue(retried.stderr.contains("dropped #2 to 'hong' <hong@example.com>: the account was deactivated after it had been active"), retried.stderr)
        XCTAssertEqual(try sql("SELECT state FROM outbox WHERE id = 2"), ["failed-permanent"])
        XCTAssertEqual(outboxFiles().count, 1)
    }

    /// The Django admin creates an account active and later deactivates it: last_login stays NULL,
    /// and without a record of the activation that account looked never activated, was listed
    /// as expired and purged. The database records it now, whoever sets is_active.
    func testAnAccountAnotherProgramActivatedAndDeactivatedIsNeverPurged() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        try sql("""
            INSERT INTO users (user_id, email, password, is_active, date_joined) VALUES ('admin-made', 'a@example.com', '!x', 1, '2020-01-01 00:00:00');
            INSERT INTO users (user_id, email, password, is_active, date_joined) VALUES ('later', 'l@example.com', '!x', 0, '2020-01-01 00:00:00');
            UPDATE users SET is_active = 1 WHERE user_id = 'later';
            UPDATE users SET is_active = 0;
            INSERT INTO users (user_id, email, password, is_active, date_joined) VALUES ('stale', 's@example.com', '!x', 0, '2020-01-01 00:00:00');
            """)
        XCTAssertEqual(try sql("SELECT user_id, activated_at IS NOT NULL, last_login IS NULL FROM users ORDER BY id"),
                       ["admin-made|1|1", "later|1|1", "stale|0|1"])
        let listed = try jsonArray(try accounts("list", "--format", "json").stdout)
        XCTAssertEqual(listed.map { $0["state"] as? String }, ["inactive", "inactive", "expired"])
        XCTAssertEqual(try accounts("purge-expired").stdout, "purged 1 account\n")
        XCTAssertEqual(try sql("SELECT user_id FROM users ORDER BY id"), ["admin-made", "later"])
        assertFails(try accounts("send-activation", "later", "--force"), 65, "was deactivated after it had been active")
    }

    /// An older database: accounts active before the migration get an activated_at too.
    func testTheMigrationRecordsAccountsAlreadyActive() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        try sql("""
            DROP TRIGGER users_activation_recorded_on_insert; DROP TRIGGER users_activation_recorded_on_update;
            DELETE FROM grdb_migrations WHERE identifier LIKE 'v4:%';
            INSERT INTO users (user_id, email, password, is_active, date_joined, last_login) VALUES ('old', 'o@example.com', '!x', 1, '2020-01-01 00:00:00', '2021-05-05 10:00:00');
            """)
        XCTAssertEqual(try accounts("list", "--format", "csv").status, 0)
        XCTAssertEqual(try sql("SELECT activated_at FROM users"), ["2021-05-05 10:00:00"])
    }

    /// Django accepts a token dated ten years ahead; no honest clock makes one.
    func testATokenFromTheFutureIsRefused() throws {
        try initAndRegister()
        let future = try tokenForHong(at: UTCDateTime.now().adding(seconds: 10 * 365 * 86_400))
        let before = try dump()
        assertFails(try accounts("activate", "MQ", future), 65, "invalid activation link for 'hong': its token is dated")
        XCTAssertEqual(try dump(), before)
        // Within the allowance for clocks that differ by seconds, it works.
        let slightlyAhead = try tokenForHong(at: UTCDateTime.now().adding(seconds: 60))
        XCTAssertEqual(try accounts("activate", "MQ", slightlyAhead).status, 0)
    }

    /// An id of 0 or below, written by another program, is reported, never a crash (before: a
    /// trap in the uid codec, with the outbox row left `sending`).
    func testAStoredIdOfZeroIsAnErrorNotACrash() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        try sql("INSERT INTO users (id, user_id, email, password, date_joined) VALUES (0, 'zero', 'z@example.com', '!x', '2026-11-01 00:00:00')")
        try sql("INSERT INTO users (id, user_id, email, password, date_joined) VALUES (-5, 'negative', 'n@example.com', '!x', '2026-11-01 00:00:00')")
        assertFails(try accounts("send-activation", "zero"), 65, "account 'zero' has id 0, which no activation link can carry")
        XCTAssertEqual(try sql("SELECT state FROM outbox"), ["failed-permanent"], "not left `sending`")
        let pending = try accounts("send-activation", "--pending")
        XCTAssertEqual(pending.status, 65, pending.stderr)
        XCTAssertTrue(pending.stderr.contains("has id -5, which no activation link can carry"), pending.stderr)
        XCTAssertFalse(pending.stderr.contains("crashed"), pending.stderr)
        XCTAssertEqual(try sql("SELECT count(*) FROM outbox WHERE state = 'sending'"), ["0"])
        // A value of the wrong type in a column is a damaged row, named, not a trap.
        try sql("UPDATE users SET date_joined = 'yesterday' WHERE id = 0")
        assertFails(try accounts("list"), 65, "users row 0: date_joined 'yesterday' is not a date")
        try sql("UPDATE users SET date_joined = '2026-11-01 00:00:00', user_id = x'00ff' WHERE id = 0")
        assertFails(try accounts("list"), 65, "users row 0: user_id holds binary data")
    }

    /// Tokens count on TIME_ZONE's wall clock; when the clocks went back within the window, a link
    /// is good for an hour longer than UTC arithmetic says. Purge must not delete such an account
    /// (before, it counted in UTC and did).
    func testPurgeCountsTimeAsTheTokensDoAcrossTheClocksGoingBack() throws {
        // A zone whose latest change of offset was its clocks going back (Berlin's in the
        // northern winter, Sydney's in the southern one).
        let now = Date()
        var found: (name: String, back: Date)?
        for name in ["Europe/Berlin", "Australia/Sydney"] where found == nil {
            let zone = TimeZone(identifier: name)!
            var latest = zone.nextDaylightSavingTimeTransition(after: now.addingTimeInterval(-400 * 86_400))!
            while let next = zone.nextDaylightSavingTimeTransition(after: latest), next < now { latest = next }
            if zone.secondsFromGMT(for: latest) < zone.secondsFromGMT(for: latest.addingTimeInterval(-1)) { found = (name, latest) }
        }
        let (zoneName, back) = try XCTUnwrap(found)
        // A window reaching back past it; the link went out 30 minutes before the window's UTC
        // start, which is still inside it on the wall clock (one hour was lived twice).
        let timeout = Int64(now.timeIntervalSince(back)) + 7200
        let sent = UTCDateTime(now).adding(seconds: -timeout - 1800)
        XCTAssertLessThan(sent.date, back)
        try initAndRegister(extra: ["--no-send"])
        try sql("UPDATE users SET activation_sent_at = '\(sent.storageText)'")
        environment["ACCOUNTS_TIME_ZONE"] = zoneName
        environment["ACCOUNTS_PASSWORD_RESET_TIMEOUT"] = String(timeout)
        XCTAssertEqual(try jsonArray(try accounts("list", "--format", "json").stdout).first?["state"] as? String, "pending")
        XCTAssertEqual(try accounts("purge-expired").stdout, "purged 0 accounts\n")
        let token = try tokenForHong(at: sent, timeZone: zoneName)
        let activated = try accounts("activate", "MQ", token, env: ["ACCOUNTS_PASSWORD_RESET_TIMEOUT": String(timeout)])
        XCTAssertEqual(activated.status, 0, "the link is still good, so purge was right to keep it: \(activated.stderr)")
    }
}
