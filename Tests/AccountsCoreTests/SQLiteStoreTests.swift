import AccountsCore
import Foundation
import XCTest

/// What is particular to the SQLite store: its file, its schema, how its tables hold the archive
/// and the log. (What every store guarantees is checked by SQLiteStoreContractTests.)
final class SQLiteStoreTests: XCTestCase {
    var directory = ""
    var store: SQLiteStore!

    override func setUpWithError() throws {
        directory = try temporaryDirectory(self)
        store = try SQLiteStore(path: directory + "/db.sqlite3", create: true, actor: "tester")
    }

    func add(_ userID: String, joined: UTCDateTime) throws -> User {
        try store.insert(NewUser(userID: userID, email: "\(userID)@example.com", password: "!x",
                                 level: "2", department: "컴퓨터공학부", dateJoined: joined))
    }

    func testThePurgeIsOneLogRowAndItsAccountsArchiveRowsWhichRestoreMarks() throws {
        _ = try add("stale", joined: longAgo)
        XCTAssertEqual(try store.purgeExpired(cutoff: t0, at: t0), 1)
        XCTAssertEqual(try sqlite3(store.path, "SELECT user_id || '|' || email || '|' || password || '|' || purged_at FROM purged_users"),
                       ["stale|stale@example.com|!x|\(t0.storageText)"])
        XCTAssertEqual(try sqlite3(store.path, "SELECT action, account_id IS NULL, detail FROM audit_log WHERE action = 'purge'"),
                       ["purge|1|purge batch: never activated, activation window started before \(t0.wholeSecondsText)"],
                       "one row stands for the purge; its accounts are its purged_users rows")
        XCTAssertThrowsError(try sqlite3(store.path, "DELETE FROM audit_log"), "append-only")
        XCTAssertThrowsError(try sqlite3(store.path, "UPDATE audit_log SET detail = ''"), "append-only")
        _ = try store.restore("stale", at: t0.adding(seconds: 60))
        XCTAssertEqual(try sqlite3(store.path, "SELECT count(*) FROM purged_users WHERE restored_at IS NULL"), ["0"],
                       "marked restored, kept for the log")
    }

    func testSchemaServesPurgeWithItsIndex() throws {
        let plan = try sqlite3(store.path, """
            EXPLAIN QUERY PLAN SELECT * FROM users WHERE is_active = 0 AND last_login IS NULL AND activated_at IS NULL
            AND coalesce(activation_sent_at, date_joined) < '2026-01-01'
            """)
        XCTAssertTrue(plan.joined().contains("users_never_activated"), "\(plan)")
    }

    /// A database from before mail kinds: its outbox rows become activation mails, once.
    func testTheMailKindsMigrationMakesOldRowsActivationMails() throws {
        let user = try add("old", joined: t0)
        let entry = try store.enqueueMail(.activation, for: user, at: t0)
        try sqlite3(store.path, "ALTER TABLE outbox DROP COLUMN kind; DELETE FROM grdb_migrations WHERE identifier LIKE 'v8:%'")
        store = try SQLiteStore(path: store.path, create: false, actor: "tester")
        XCTAssertEqual(try store.outboxEntry(id: entry.id)?.kind, .activation)
        XCTAssertEqual(try sqlite3(store.path, "SELECT kind FROM outbox"), ["activation"])
        XCTAssertEqual(try sqlite3(store.path, "SELECT count(*) FROM grdb_migrations WHERE identifier LIKE 'v8:%'"), ["1"])
    }

    func testMissingDatabaseIsAnErrorUnlessCreating() {
        XCTAssertThrowsError(try SQLiteStore(path: directory + "/missing.sqlite3", create: false)) { error in
            XCTAssertEqual((error as? AccountsError)?.kind, .noInput)
        }
        XCTAssertThrowsError(try SQLiteStore(path: directory, create: true)) { error in
            XCTAssertEqual((error as? AccountsError)?.kind, .ioError)
        }
    }

    func testCorruptFileIsReportedNotCrashed() throws {
        let path = directory + "/corrupt.sqlite3"
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SQLiteStore(path: path, create: false)) { error in
            XCTAssertEqual((error as? AccountsError)?.kind, .unavailable, "\(error)")
        }
    }
}
