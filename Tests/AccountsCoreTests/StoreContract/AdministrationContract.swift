import AccountsCore
import XCTest

/// The contract of an administrator's changes (`update`, `delete`, and what `show` reads).
extension AccountStoreContract {
    func checkAnUpdateIsConditionalAuditedAndNamesDuplicates() throws {
        let store = try openStore(actor: "admin")
        let hong = try store.insert(newUser("hong"))
        _ = try store.insert(newUser("kim"))
        var changed = hong
        changed.email = "hong2@example.com"
        changed.level = nil
        let updated = try XCTUnwrap(try store.update(hong, to: changed, action: .update, detail: "email", at: t0))
        XCTAssertEqual(updated.email, "hong2@example.com")
        XCTAssertNil(updated.level)
        XCTAssertEqual(try store.user(id: hong.id), updated)
        XCTAssertEqual(try auditTrail(store).last, "update hong ok")

        // Written over a stale read: nothing changes, nothing is logged.
        var stale = hong
        stale.department = "other"
        XCTAssertNil(try store.update(hong, to: stale, action: .update, detail: "stale", at: t0))
        XCTAssertEqual(try store.user(id: hong.id), updated)

        // A user_id or an email another account has (ignoring case): named, nothing changes.
        for (userID, email, message) in [("kim", "x@example.com", "user_id 'kim' is already registered"),
                                         ("hong", "KIM@example.com", "email 'KIM@example.com' is already registered (to user_id 'kim')")] {
            var clash = updated
            clash.userID = userID
            clash.email = email
            XCTAssertThrowsError(try store.update(updated, to: clash, action: .update, detail: "clash", at: t0)) { error in
                XCTAssertEqual((error as? AccountsError)?.kind, .badData)
                XCTAssertEqual((error as? AccountsError)?.message, message)
            }
        }
        XCTAssertEqual(try store.user(id: hong.id), updated)
        XCTAssertEqual(try auditTrail(store).filter { $0.hasPrefix("update") }, ["update hong ok"])
    }

    /// A user_id may be another account's email: USER matching both is refused, never guessed;
    /// an id, a user_id or an email names one account exactly, current or archived.
    func checkAReferenceMatchingTwoAccountsIsRefused() throws {
        let store = try openStore(actor: "admin")
        let impostor = try store.insert(newUser("victim@example.com", "impostor@example.com"))
        let victim = try store.insert(newUser("victim", "Victim@Example.com"))
        XCTAssertThrowsError(try store.user(matching: .either("victim@example.com"))) { error in
            XCTAssertEqual((error as? AccountsError)?.kind, .badData)
            XCTAssertEqual((error as? AccountsError)?.hint, .nameOneAccount(ids: [impostor.id, victim.id]))
        }
        XCTAssertEqual(try store.user(matching: .either("VICTIM@example.com")), victim, "only the email matches: no doubt")
        XCTAssertEqual(try store.user(matching: .userID("victim@example.com")), impostor)
        XCTAssertEqual(try store.user(matching: .email("victim@example.com")), victim)
        XCTAssertEqual(try store.user(matching: .id(victim.id)), victim)
        XCTAssertNil(try store.user(matching: .userID("Victim@Example.com")), "a user_id is exact")
        XCTAssertNil(try store.user(matching: .id(victim.id + 100)))
        // Archived, the same: both deleted, the reference still names two accounts.
        XCTAssertTrue(try store.delete(impostor, detail: "x", at: t0))
        XCTAssertTrue(try store.delete(victim, detail: "x", at: t0))
        XCTAssertThrowsError(try store.latestArchive(matching: .either("victim@example.com"))) { error in
            XCTAssertEqual((error as? AccountsError)?.kind, .badData)
        }
        XCTAssertThrowsError(try AuditQuery.accountID(of: .either("victim@example.com"), in: store))
        XCTAssertEqual(try store.latestArchive(matching: .email("victim@example.com")).user.id, victim.id)
        XCTAssertEqual(try AuditQuery.accountID(of: .userID("victim@example.com"), in: store), impostor.id)
        XCTAssertEqual(try store.restore(archiveID: try store.latestArchive(matching: .id(victim.id)).archiveID, at: t0).id, victim.id)
        XCTAssertThrowsError(try store.restore(archiveID: try XCTUnwrap(try store.archivedUsers(matching: .id(victim.id)).first).archiveID, at: t0),
                             "a copy is restored once") { XCTAssertEqual(($0 as? AccountsError)?.kind, .temporary) }
    }

    func checkReactivatingRecordsTheActivation() throws {
        let store = try openStore(actor: "admin")
        let hong = try store.insert(newUser("hong"))
        var active = hong
        active.isActive = true
        let reactivated = try XCTUnwrap(try store.update(hong, to: active, action: .reactivate, detail: "", at: t0))
        XCTAssertNotNil(reactivated.activatedAt, "the database records the activation, whoever sets is_active")
        var inactive = reactivated
        inactive.isActive = false
        let deactivated = try XCTUnwrap(try store.update(reactivated, to: inactive, action: .deactivate, detail: "", at: t0))
        XCTAssertFalse(ActivationWindow.isNeverActivated(deactivated))
        XCTAssertEqual(try store.purgeExpired(cutoff: t0.adding(seconds: 1_000_000), at: t0), 0, "never purged")
    }

    func checkADeletionIsArchivedLikeAPurgeAndRestorable() throws {
        let store = try openStore(actor: "admin")
        let hong = try store.insert(newUser("hong"))
        try mailed(store, hong, at: t0)
        let current = try XCTUnwrap(try store.user(id: hong.id))
        XCTAssertEqual(try store.latestMail(forAccount: hong.id)?.state, .sent)
        XCTAssertFalse(try store.delete(hong, detail: "stale", at: t0), "a stale read deletes nothing")
        XCTAssertTrue(try store.delete(current, detail: "asked", at: t0))
        XCTAssertNil(try store.user(id: hong.id))
        XCTAssertFalse(try store.delete(current, detail: "again", at: t0))
        let archived = try store.archivedUsers(matching: .either("HONG@example.com"))
        XCTAssertEqual(archived.map(\.user), [current])
        XCTAssertEqual(archived.first?.purgedAt, t0)
        XCTAssertNil(archived.first?.restoredAt)
        XCTAssertEqual(try auditTrail(store).last, "delete hong ok")
        let restored = try store.restore("hong", at: t0.adding(seconds: 5))
        XCTAssertEqual(restored.id, hong.id)
        XCTAssertNotNil(try store.archivedUsers(matching: .either("hong")).first?.restoredAt)
    }

    func checkStatisticsCountWhatTheLogSays() throws {
        let store = try openStore(actor: "admin")
        let hong = try store.insert(newUser("hong", joined: t0))
        _ = try store.insert(newUser("old", joined: longAgo))
        XCTAssertTrue(try store.activate(hong, at: t0.adding(seconds: 90), detail: "key"))
        let stats = try store.statistics(since: t0, expiryCutoff: t0.adding(seconds: -10))
        XCTAssertEqual(stats.accounts, [.active: 1, .pending: 0, .expired: 1, .inactive: 0])
        XCTAssertEqual(stats.count(.register), 1, "old registered long ago, before the period")
        XCTAssertEqual(stats.count(.activate), 1)
        XCTAssertEqual(stats.activationDelays, [90])
        XCTAssertEqual(try store.purgeExpired(cutoff: t0.adding(seconds: -10), at: t0.adding(seconds: 100)), 1)
        let after = try store.statistics(since: nil, expiryCutoff: t0.adding(seconds: -10))
        XCTAssertEqual(after.purgedAccounts, 1)
        XCTAssertEqual(after.count(.register), 2)
        XCTAssertEqual(after.accounts[.expired], 0)
    }

    func checkAuditIDsAreTheCommittedOnesInOrder() throws {
        let store = try openStore(actor: "admin")
        XCTAssertEqual(try store.auditIDs(after: 0), [])
        XCTAssertEqual(try store.lastAuditID(), 0)
        _ = try store.insert(newUser("a"))
        _ = try store.insert(newUser("b"))
        let all = try store.auditIDs(after: 0)
        XCTAssertEqual(all.count, 2)
        XCTAssertEqual(all, all.sorted())
        XCTAssertEqual(try store.auditIDs(after: all[0]), [all[1]])
        XCTAssertEqual(try store.lastAuditID(), all[1])
        var entries: [String] = []
        try store.forEachAuditEntry(AuditQuery(afterID: all[0])) { entries.append($0.userID ?? "") }
        XCTAssertEqual(entries, ["b"])
    }
}
