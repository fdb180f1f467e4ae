import AccountsCore
import Foundation
import XCTest

final class SQLiteStoreTests: XCTestCase {
    var directory = ""
    var store: SQLiteStore!
    let t0 = UTCDateTime(epochSeconds: 1_795_000_000, microseconds: 123_456)

    override func setUpWithError() throws {
        directory = try temporaryDirectory(self)
        store = try SQLiteStore(path: directory + "/db.sqlite3", create: true)
    }

    func add(_ userID: String, _ email: String? = nil, joined: UTCDateTime? = nil) throws -> User {
        try store.insert(NewUser(userID: userID, email: email ?? "\(userID)@example.com", password: "!x",
                                 level: "2", department: "컴퓨터공학부", dateJoined: joined ?? t0))
    }

    func testInsertAndReadBack() throws {
        let user = try add("hong")
        XCTAssertEqual(user.id, 1)
        XCTAssertEqual(try store.user(id: 1), user)
        XCTAssertEqual(try store.user(matching: "hong"), user)
        XCTAssertEqual(try store.user(matching: "HONG@EXAMPLE.COM"), user, "email lookup ignores case")
        XCTAssertNil(try store.user(matching: "nobody"))
        XCTAssertEqual(user.dateJoined, t0, "microseconds survive the round trip")
    }

    func testDuplicatesNameTheConflict() throws {
        _ = try add("hong")
        XCTAssertThrowsError(try add("hong", "other@example.com")) { error in
            XCTAssertEqual(error as? AccountsError, AccountsError(.badData, "user_id 'hong' is already registered"))
        }
        XCTAssertThrowsError(try add("kim", "Hong@Example.com")) { error in
            XCTAssertEqual((error as? AccountsError)?.kind, .badData)
            XCTAssertTrue("\(error)".contains("email 'Hong@Example.com' is already registered (to user_id 'hong')"), "\(error)")
        }
    }

    func testIdsAreNeverReused() throws {
        _ = try add("a")
        let b = try add("b", joined: UTCDateTime(epochSeconds: 1000))
        XCTAssertEqual(try store.purgeExpired(cutoff: t0, at: t0), 1)
        XCTAssertNil(try store.user(id: b.id))
        XCTAssertEqual(try add("c").id, 3)
    }

    func testPurgeDeletesOnlyNeverActivatedExpiredAccountsAndArchivesThem() throws {
        let old = UTCDateTime(epochSeconds: t0.epochSeconds - 1_000_000)
        let stale = try add("stale", joined: old)
        let fresh = try add("fresh", joined: t0)
        let remailed = try add("remailed", joined: old)
        try store.recordActivationSent(id: remailed.id, at: t0)
        let active = try add("active", joined: old)
        XCTAssertTrue(try store.activate(active, at: old))
        // Deactivated later (as Django's admin would): inactive, but it was active once.
        let deactivated = try add("deactivated", joined: old)
        XCTAssertTrue(try store.activate(deactivated, at: old))
        try rawSQL("UPDATE users SET is_active = 0 WHERE user_id = 'deactivated'")
        // Never activated here but logged in through Django: a real user.
        _ = try add("loggedin", joined: old)
        try rawSQL("UPDATE users SET last_login = '2026-01-01 00:00:00' WHERE user_id = 'loggedin'")

        let cutoff = t0.adding(seconds: -10)
        var expired: [String] = []
        try store.forEachUser(state: .expired, expiryCutoff: cutoff, limit: nil) { expired.append($0.userID) }
        XCTAssertEqual(expired, ["stale"])

        XCTAssertEqual(try store.purgeExpired(cutoff: cutoff, at: t0), 1)
        XCTAssertNil(try store.user(id: stale.id))
        for survivor in [fresh.id, remailed.id, active.id, deactivated.id, 6] {
            XCTAssertNotNil(try store.user(id: survivor))
        }
        let archived = try rawSQL("SELECT user_id || '|' || email || '|' || password || '|' || purged_at FROM purged_users")
        XCTAssertEqual(archived, ["stale|stale@example.com|!x|\(t0.storageText)"])
        XCTAssertEqual(try store.purgeExpired(cutoff: cutoff, at: t0), 0)
    }

    func testStatesAndLimit() throws {
        let old = UTCDateTime(epochSeconds: t0.epochSeconds - 1_000_000)
        _ = try add("p1")
        _ = try add("e1", joined: old)
        let a = try add("a1")
        XCTAssertTrue(try store.activate(a, at: t0))
        func ids(_ state: AccountState?, limit: Int? = nil) throws -> [String] {
            var result: [String] = []
            try store.forEachUser(state: state, expiryCutoff: t0.adding(seconds: -10), limit: limit) { result.append($0.userID) }
            return result
        }
        XCTAssertEqual(try ids(nil), ["p1", "e1", "a1"])
        XCTAssertEqual(try ids(.pending), ["p1"])
        XCTAssertEqual(try ids(.expired), ["e1"])
        XCTAssertEqual(try ids(.active), ["a1"])
        XCTAssertEqual(try ids(.inactive), [])
        XCTAssertEqual(try ids(nil, limit: 2), ["p1", "e1"])
    }

    func testActivateIsConditionalOnTheCheckedRow() throws {
        let user = try add("hong")
        var changed = user
        changed.password = "something else"
        XCTAssertFalse(try store.activate(changed, at: t0), "row differs from what the token was checked against")
        XCTAssertTrue(try store.activate(user, at: t0))
        XCTAssertFalse(try store.activate(user, at: t0), "a second activation of the same link fails")
        let active = try XCTUnwrap(try store.user(id: user.id))
        XCTAssertTrue(active.isActive)
        XCTAssertEqual(active.lastLogin, t0)
        XCTAssertEqual(active.activatedAt, t0)
    }

    func testMailClaimHonoursCooldownAndRelease() throws {
        let user = try add("hong")
        XCTAssertEqual(try store.claimActivationMail(id: user.id, at: t0, notSentSince: t0.adding(seconds: -60)), .claimed(previous: nil))
        guard case .refused = try store.claimActivationMail(id: user.id, at: t0.adding(seconds: 30), notSentSince: t0.adding(seconds: -30)) else {
            return XCTFail("a second mail within the cooldown must be refused")
        }
        try store.releaseActivationMail(id: user.id, claimedAt: t0, previous: nil)
        XCTAssertNil(try store.user(id: user.id)?.activationSentAt)
    }

    func testSchemaServesPurgeWithItsIndex() throws {
        let plan = try rawSQL("""
            EXPLAIN QUERY PLAN SELECT * FROM users WHERE is_active = 0 AND last_login IS NULL AND activated_at IS NULL
            AND coalesce(activation_sent_at, date_joined) < '2026-01-01'
            """)
        XCTAssertTrue(plan.joined().contains("users_never_activated"), "\(plan)")
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

    /// Runs SQL with the sqlite3 shell, outside the store, as another program would.
    @discardableResult
    func rawSQL(_ sql: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [store.path, sql]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
