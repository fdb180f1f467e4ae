import AccountsCore
import Foundation
import XCTest

final class SQLiteStoreTests: XCTestCase {
    var directory = ""
    var store: SQLiteStore!
    let t0 = UTCDateTime(epochSeconds: 1_795_000_000, microseconds: 123_456)

    override func setUpWithError() throws {
        directory = try temporaryDirectory(self)
        store = try SQLiteStore(path: directory + "/db.sqlite3", create: true, actor: "tester")
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
        try mailed(remailed, at: t0)
        let active = try add("active", joined: old)
        XCTAssertTrue(try store.activate(active, at: old, detail: "test"))
        // Deactivated later (as Django's admin would): inactive, but it was active once.
        let deactivated = try add("deactivated", joined: old)
        XCTAssertTrue(try store.activate(deactivated, at: old, detail: "test"))
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
        XCTAssertTrue(try store.activate(a, at: t0, detail: "test"))
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
        XCTAssertFalse(try store.activate(changed, at: t0, detail: "test"), "row differs from what the token was checked against")
        XCTAssertTrue(try store.activate(user, at: t0, detail: "test"))
        XCTAssertFalse(try store.activate(user, at: t0, detail: "test"), "a second activation of the same link fails")
        let active = try XCTUnwrap(try store.user(id: user.id))
        XCTAssertTrue(active.isActive)
        XCTAssertEqual(active.lastLogin, t0)
        XCTAssertEqual(active.activatedAt, t0)
    }

    func testMailClaimHonoursCooldownAndRelease() throws {
        let user = try add("hong")
        guard case .claimed(nil, let queued) = try store.claimActivationMail(id: user.id, at: t0, notSentSince: t0.adding(seconds: -60)) else {
            return XCTFail("the first mail is claimed")
        }
        XCTAssertEqual(queued.state, .queued, "and queued in the outbox in the same transaction")
        XCTAssertEqual(try store.pendingMail(for: user, inFlightSince: t0), queued)
        guard case .refused = try store.claimActivationMail(id: user.id, at: t0.adding(seconds: 30), notSentSince: t0.adding(seconds: -30)) else {
            return XCTFail("a second mail within the cooldown must be refused")
        }
        try store.releaseActivationMail(id: user.id, claimedAt: t0, previous: nil)
        XCTAssertNil(try store.user(id: user.id)?.activationSentAt)
    }

    func testOutboxRowIsTakenOnceAndRecordsItsFate() throws {
        let user = try add("hong")
        let entry = try store.enqueueActivationMail(for: user, at: t0)
        let taken = try XCTUnwrap(try store.beginSending(entry, at: t0))
        XCTAssertEqual(taken.state, .sending)
        XCTAssertEqual(taken.attempts, 1)
        XCTAssertNil(try store.beginSending(entry, at: t0), "a row being sent cannot be taken again")
        XCTAssertEqual(try store.dueMail(at: t0.adding(seconds: 3600), includingNotYetDue: true), [], "nor is it due")

        let failure = MailFailure(AccountsError(.temporary, "451 4.3.0 try later"), replyCode: 451)
        try store.failSending(taken, for: user, at: t0, failure: failure)
        XCTAssertEqual(try store.dueMail(at: t0.adding(seconds: 59), includingNotYetDue: false), [], "due after a minute")
        let due = try store.dueMail(at: t0.adding(seconds: 60), includingNotYetDue: false)
        XCTAssertEqual(due.map(\.state), [.failedTemporary])
        XCTAssertEqual(due.first?.lastCode, 451)
        XCTAssertEqual(due.first?.lastReply, "451 4.3.0 try later")

        let again = try XCTUnwrap(try store.beginSending(due[0], at: t0.adding(seconds: 60)))
        XCTAssertEqual(again.attempts, 2)
        try store.finishSending(again, for: user, at: t0.adding(seconds: 61), receipt: MailReceipt(destination: "x", replyCode: 250, replyText: "2.0.0 Ok"))
        var rows: [OutboxEntry] = []
        try store.forEachOutboxEntry(state: nil, limit: nil) { rows.append($0) }
        XCTAssertEqual(rows.map(\.state), [.sent])
        XCTAssertEqual(rows.first?.sentAt, t0.adding(seconds: 61))
        XCTAssertEqual(try store.user(id: user.id)?.activationSentAt, t0.adding(seconds: 61))
        XCTAssertNil(try store.beginSending(again, at: t0.adding(seconds: 62)), "a sent row is never taken again")
        XCTAssertNil(try store.pendingMail(for: user, inFlightSince: t0))

        // A row left in sending: in flight for a while, then taken to be interrupted.
        let stuck = try XCTUnwrap(try store.beginSending(try store.enqueueActivationMail(for: user, at: t0), at: t0))
        XCTAssertEqual(try store.pendingMail(for: user, inFlightSince: t0.adding(seconds: -900))?.id, stuck.id)
        XCTAssertNil(try store.pendingMail(for: user, inFlightSince: t0.adding(seconds: 1)))

        let refused = try XCTUnwrap(try store.beginSending(try store.enqueueActivationMail(for: user, at: t0), at: t0))
        try store.failSending(refused, for: user, at: t0, failure: MailFailure(AccountsError(.badData, "550 no such user"), permanent: true, replyCode: 550))
        XCTAssertEqual(try store.dueMail(at: t0.adding(seconds: 100_000), includingNotYetDue: true), [], "permanent failures are not retried")
    }

    func testEveryChangeIsAuditedInItsTransaction() throws {
        let old = UTCDateTime(epochSeconds: t0.epochSeconds - 1_000_000)
        let hong = try add("hong", joined: old)
        try mailed(hong, at: old)
        let kim = try add("kim", "Kim@Example.com")
        XCTAssertTrue(try store.activate(kim, at: t0, detail: "link signed with SECRET_KEY"))
        XCTAssertFalse(try store.activate(kim, at: t0, detail: "again"), "no change, no entry")
        let kimMail = try XCTUnwrap(try store.beginSending(try store.enqueueActivationMail(for: kim, at: t0), at: t0))
        try store.failSending(kimMail, for: kim, at: t0, failure: MailFailure(AccountsError(.temporary, "451 try later")))
        XCTAssertEqual(try store.purgeExpired(cutoff: t0, at: t0), 1)
        XCTAssertThrowsError(try add("kim", "other@example.com"), "a refused insert leaves no entry")

        var entries: [AuditEntry] = []
        try store.forEachAuditEntry(AuditQuery()) { entries.append($0) }
        XCTAssertEqual(entries.map { "\($0.action.rawValue) \($0.userID ?? "-") \($0.outcome.rawValue)" }, [
            "register hong ok", "send-activation hong ok", "register kim ok", "activate kim ok",
            "send-activation kim failed", "purge hong ok",
        ])
        XCTAssertEqual(Set(entries.map(\.osUser)), ["tester"])
        XCTAssertEqual(entries[4].detail, "451 try later")
        XCTAssertEqual(entries[5].accountID, hong.id)
        XCTAssertEqual(entries[5].at, t0)

        func userIDs(_ query: AuditQuery) throws -> [String] {
            var result: [String] = []
            try store.forEachAuditEntry(query) { result.append("\($0.id):\($0.userID ?? "-")") }
            return result
        }
        XCTAssertEqual(try userIDs(AuditQuery(user: "kim@example.com")), ["3:kim", "4:kim", "5:kim"], "by email, ignoring case")
        XCTAssertEqual(try userIDs(AuditQuery(user: "hong@example.com")), ["1:hong", "2:hong", "6:hong"], "by the email of a purged account")
        XCTAssertEqual(try userIDs(AuditQuery(since: t0)), ["3:kim", "4:kim", "5:kim", "6:hong"])
        XCTAssertEqual(try userIDs(AuditQuery(action: .register)), ["1:hong", "3:kim"])
        XCTAssertEqual(try userIDs(AuditQuery(limit: 2)), ["5:kim", "6:hong"], "the newest, oldest first")
        XCTAssertEqual(try userIDs(AuditQuery(user: "nobody")), [])

        XCTAssertEqual(try rawSQL("SELECT action, account_id IS NULL, detail FROM audit_log WHERE action = 'purge'"),
                       ["purge|1|1 account never activated, activation window started before \(t0.wholeSecondsText)"],
                       "one row stands for the purge; its accounts are its purged_users rows")
        XCTAssertThrowsError(try rawSQL("DELETE FROM audit_log"), "append-only")
        XCTAssertEqual(try rawSQL("SELECT count(*) FROM audit_log"), ["6"])
    }

    func testRestorePutsTheLatestArchivedCopyBack() throws {
        let old = UTCDateTime(epochSeconds: t0.epochSeconds - 1_000_000)
        let hong = try add("hong", joined: old)
        XCTAssertEqual(try store.purgeExpired(cutoff: t0, at: t0), 1)
        XCTAssertThrowsError(try store.restore("nobody", at: t0)) { XCTAssertEqual(($0 as? AccountsError)?.kind, .noSuchUser) }

        let later = t0.adding(seconds: 60)
        let restored = try store.restore("HONG@example.com", at: later)
        XCTAssertEqual(restored.id, hong.id, "its old id")
        XCTAssertEqual(restored.password, hong.password)
        XCTAssertEqual(restored.activationSentAt, later, "the window restarts")
        XCTAssertEqual(try store.user(id: hong.id), restored)
        XCTAssertEqual(try rawSQL("SELECT count(*) FROM purged_users WHERE restored_at IS NULL"), ["0"], "marked restored, kept for the log")
        XCTAssertEqual(try store.purgeExpired(cutoff: later.adding(seconds: -10), at: later), 0, "not purged again at once")
        XCTAssertThrowsError(try store.restore("hong", at: later)) { error in
            XCTAssertEqual((error as? AccountsError)?.kind, .badData)
            XCTAssertTrue("\(error)".contains("is not purged"), "\(error)")
        }

        // Purged again, and the user_id taken by someone else meanwhile: refused, nothing changes.
        XCTAssertEqual(try store.purgeExpired(cutoff: later.adding(seconds: 1), at: later.adding(seconds: 2)), 1)
        _ = try add("hong", "new-hong@example.com")
        XCTAssertThrowsError(try store.restore("hong@example.com", at: later)) { error in
            XCTAssertEqual((error as? AccountsError)?.kind, .badData)
            XCTAssertTrue("\(error)".contains("account 'hong' now has its user_id or email"), "\(error)")
        }
        XCTAssertEqual(try rawSQL("SELECT count(*) FROM purged_users WHERE restored_at IS NULL"), ["1"])
        var actions: [String] = []
        try store.forEachAuditEntry(AuditQuery()) { actions.append($0.action.rawValue) }
        XCTAssertEqual(actions, ["register", "purge", "restore", "purge", "register"])
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

    /// An activation mail to `user` that the server accepted at `instant`, through the outbox.
    func mailed(_ user: User, at instant: UTCDateTime) throws {
        let taken = try XCTUnwrap(try store.beginSending(try store.enqueueActivationMail(for: user, at: instant), at: instant))
        try store.finishSending(taken, for: user, at: instant, receipt: MailReceipt(destination: user.email))
    }

    /// Runs SQL with the sqlite3 shell, outside the store, as another program would.
    @discardableResult
    func rawSQL(_ sql: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [store.path, sql]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus != 0 { throw AccountsError(.unavailable, "sqlite3 failed: \(sql)") }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
