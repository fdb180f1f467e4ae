import Foundation
import GRDB

/// Purge and restore: every purged row is archived whole in purged_users, from where `restore`
/// puts it back under its old id. A purge runs in batches, each one write transaction, so that
/// registrations wait for one batch at most, and a purge killed halfway leaves whole batches.
extension SQLiteStore {
    public func purgeExpired(cutoff: UTCDateTime, at instant: UTCDateTime, batchSize: Int, progress: (Int) -> Void) throws -> Int {
        try acquirePurgeLease()
        defer { _ = try? write { db in
            try db.execute(sql: "DELETE FROM purge_lease WHERE name = ? AND holder = ?", arguments: [PurgeLease.name, PurgeLease.holder])
        } }
        let (expired, arguments) = Self.condition(for: .expired, cutoff: cutoff)
        var total = 0
        while true {
            let purged = try write(manyStatements: true) { db -> Int in
                try db.execute(sql: "UPDATE purge_lease SET renewed_at = \(Self.now) WHERE name = ? AND holder = ?",
                               arguments: [PurgeLease.name, PurgeLease.holder])
                guard db.changesCount == 1 else { throw PurgeLease.lost }
                // The batch: the oldest windows first, by the partial index, which stops after
                // batchSize rows. Its ids go into a temporary table that the statements below
                // share, inside one write transaction, so they all see the same rows.
                try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS purge_batch (id INTEGER PRIMARY KEY)")
                try db.execute(sql: "DELETE FROM purge_batch")
                try db.execute(sql: """
                    INSERT INTO purge_batch (id) SELECT id FROM users WHERE \(expired)
                    ORDER BY coalesce(activation_sent_at, date_joined), id LIMIT ?
                    """, arguments: arguments + [batchSize])
                let doomed = db.changesCount
                guard doomed > 0 else { return 0 }
                let batch = "\(expired) AND id IN purge_batch"
                try db.execute(sql: """
                    INSERT INTO audit_log (at, os_user, action, account_id, user_id, outcome, detail) VALUES (?, ?, ?, NULL, NULL, ?, ?)
                    """, arguments: [instant, actor, AuditAction.purge.rawValue, AuditOutcome.ok.rawValue,
                                     AuditDetail.purged(cutoff: cutoff)])
                let auditID = db.lastInsertedRowID
                try db.execute(sql: "\(Self.archiveUsers) WHERE \(batch) ORDER BY coalesce(activation_sent_at, date_joined), id",
                               arguments: [instant, auditID] + arguments)
                let archived = db.changesCount
                try db.execute(sql: "DELETE FROM users WHERE \(batch)", arguments: arguments)
                guard archived == doomed, db.changesCount == archived else {
                    throw AccountsError(.unavailable, "purge aborted: counted \(doomed) rows, archived \(archived), would delete \(db.changesCount)")
                }
                return archived
            }
            total += purged
            progress(total)
            if purged < batchSize { return total }
            // SQLite has one write lock and no queue for it: a writer waiting for it (a
            // registration) polls, and back-to-back batches could starve it. A millisecond
            // between batches lets waiters in: four processes registering in a loop during a
            // purge of 250,000 waited 0.31 s at most (bench/run.py measures one). Pausing as long
            // as each batch held the lock made the purge twice as slow and the waits no shorter.
            usleep(1000)
        }
    }

    /// Copies users rows whole into the archive (purge, delete); the caller appends the WHERE.
    /// Its first two arguments are purged_at and the audit entry's id.
    static let archiveUsers = """
        INSERT INTO purged_users (\(ArchivedColumns.list()), purged_at, audit_id)
        SELECT \(ArchivedColumns.list()), ?, ?
        FROM users
        """

    /// The database's clock, as text that sorts as time does (the lease compares only these).
    private static let now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"

    /// Takes the purge lease, or throws "another purge is running".
    private func acquirePurgeLease() throws {
        func take(overFrom gone: String) throws -> Bool {
            try write { db in
                try db.execute(sql: """
                    INSERT INTO purge_lease (name, holder, acquired_at, renewed_at) VALUES (?, ?, \(Self.now), \(Self.now))
                    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at, renewed_at = excluded.renewed_at
                    WHERE purge_lease.renewed_at < strftime('%Y-%m-%d %H:%M:%f', 'now', ?) OR purge_lease.holder = ?
                    """, arguments: [PurgeLease.name, PurgeLease.holder, "-\(PurgeLease.lapse) seconds", gone])
                return db.changesCount == 1
            }
        }
        if try take(overFrom: PurgeLease.holder) { return }
        guard let current = try read({ db in
            try Row.fetchOne(db, sql: "SELECT holder, acquired_at FROM purge_lease WHERE name = ?", arguments: [PurgeLease.name])
        }) else { return try acquirePurgeLease() } // given back meanwhile
        let holder: String = try current.field("holder", table: "purge_lease")
        if PurgeLease.isGone(holder), try take(overFrom: holder) {
            Warnings.once(PurgeLease.tookOver)
            return
        }
        let since: String = try current.field("acquired_at", table: "purge_lease")
        throw PurgeLease.busy(holder: holder, since: UTCDateTime(storageText: since))
    }

    public func restore(archiveID: Int64, at instant: UTCDateTime) throws -> User {
        try write { db in
            guard let archived = try Row.fetchOne(db, sql: "SELECT * FROM purged_users WHERE archive_id = ? AND restored_at IS NULL",
                                                  arguments: [archiveID]) else {
                throw PurgedUser.restoredMeanwhile(archiveID: archiveID)
            }
            var user = try User(row: archived)
            if let row = try Row.fetchOne(db, sql: "SELECT user_id, email FROM users WHERE user_id = ? OR email = ? COLLATE NOCASE LIMIT 1",
                                          arguments: [user.userID, user.email]) {
                throw PurgedUser.cannotRestore(user, takenBy: try row.field("user_id", table: "users"))
            }
            // Back with its old id (ids are never reused, so it is free). Its activation window
            // restarts now: otherwise the next purge would delete it again at once.
            user.activationSentAt = instant
            // Marked first (the archive row stays, so that the log still shows the purge): an id
            // of an archived account not restored is refused by users_no_archived_ids.
            try db.execute(sql: "UPDATE purged_users SET restored_at = ? WHERE archive_id = ?",
                           arguments: [instant, archiveID])
            try db.execute(sql: ArchivedColumns.restore(sentAt: "?", archiveID: "?"), arguments: [instant, archiveID])
            let purgedAt = try archived.date("purged_at", table: "purged_users") ?? instant
            try audit(db, .restore, user, .ok, AuditDetail.restored(purgedAt: purgedAt), at: instant)
            return user
        }
    }
}
