/// Purge and restore. A purge runs in batches, each one transaction that archives, deletes and
/// audits its accounts, so a site keeps registering while a million rows go, and a purge killed
/// halfway leaves whole batches only.
extension PostgresStore {
    public func purgeExpired(cutoff: UTCDateTime, at instant: UTCDateTime, batchSize: Int, progress: (Int) -> Void) throws -> Int {
        try acquirePurgeLease()
        defer { _ = try? connected { connection in
            try connection.query("DELETE FROM purge_lease WHERE name = $1 AND holder = $2", [.text(PurgeLease.name), .text(PurgeLease.holder)])
        } }
        // The one "expired" that list and the preview use too; its cut-off is $1 here as there.
        let (expired, _) = Self.condition(for: .expired, cutoff: cutoff)
        var total = 0
        while true {
            // One statement a batch: renew the lease, choose the batch (the oldest windows, by
            // the partial index), delete it, write its audit entry and archive it. The batch is
            // a materialized CTE, chosen once (as an IN (subquery) the planner may rescan it for
            // each row, and each rescan would take the next rows). The predicate is in the DELETE
            // too: an account activated after it was chosen is waited for, re-checked (READ
            // COMMITTED re-evaluates a changed row) and kept.
            let (renewed, purged) = try write { connection -> (Int64, Int) in
                let row = try connection.query("""
                    WITH renewed AS (
                        UPDATE purge_lease SET renewed_at = clock_timestamp() WHERE name = $2 AND holder = $3 RETURNING 1),
                    batch AS MATERIALIZED (
                        SELECT ctid FROM users WHERE \(expired) AND EXISTS (SELECT 1 FROM renewed)
                        ORDER BY \(Self.windowStart), id LIMIT $4),
                    doomed AS (
                        DELETE FROM users WHERE \(expired) AND ctid = ANY(ARRAY(SELECT ctid FROM batch)) RETURNING *),
                    logged AS (
                        INSERT INTO audit_log (at, os_user, action, account_id, user_id, outcome, detail)
                        SELECT $5, $6, 'purge', NULL, NULL, 'ok', $7 WHERE EXISTS (SELECT 1 FROM doomed) RETURNING id),
                    archived AS (
                        INSERT INTO purged_users (\(ArchivedColumns.list()), purged_at, audit_id)
                        SELECT \(ArchivedColumns.list("d.")), $5, logged.id
                        FROM doomed d CROSS JOIN logged ORDER BY coalesce(d.activation_sent_at, d.date_joined), d.id
                        RETURNING 1)
                    SELECT (SELECT count(*) FROM renewed), (SELECT count(*) FROM archived)
                    """, [.timestamptz(cutoff), .text(PurgeLease.name), .text(PurgeLease.holder), .int8(Int64(batchSize)),
                          .timestamptz(instant), .text(actor), .text(AuditDetail.purged(cutoff: cutoff))]).row(0)
                return (try row.integer(0) ?? 0, Int(try row.integer(1) ?? 0))
            }
            guard renewed == 1 else { throw PurgeLease.lost }
            total += purged
            progress(total)
            if purged < batchSize { return total }
        }
    }

    /// Takes the purge lease, or throws "another purge is running".
    private func acquirePurgeLease() throws {
        func take(overFrom gone: String) throws -> Bool {
            try connected { connection in
                try connection.query("""
                    INSERT INTO purge_lease (name, holder, acquired_at, renewed_at) VALUES ($1, $2, clock_timestamp(), clock_timestamp())
                    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at, renewed_at = excluded.renewed_at
                    WHERE purge_lease.renewed_at < clock_timestamp() - make_interval(secs => $3) OR purge_lease.holder = $4
                    """, [.text(PurgeLease.name), .text(PurgeLease.holder), .int8(PurgeLease.lapse), .text(gone)], table: "purge_lease").affected == 1
            }
        }
        if try take(overFrom: PurgeLease.holder) { return }
        let current = try connected { connection in
            try connection.query("SELECT holder, acquired_at FROM purge_lease WHERE name = $1", [.text(PurgeLease.name)], table: "purge_lease")
        }
        guard current.count == 1 else { return try acquirePurgeLease() } // given back meanwhile
        let holder = try current.row(0).text(0) ?? "?"
        if PurgeLease.isGone(holder), try take(overFrom: holder) {
            Warnings.once(PurgeLease.tookOver)
            return
        }
        throw PurgeLease.busy(holder: holder, since: try current.row(0).date(1))
    }

    public func restore(archiveID: Int64, at instant: UTCDateTime) throws -> User {
        try write { connection in
            let archived = try connection.query("""
                SELECT archive_id, purged_at, \(PGRecords.userColumns) FROM purged_users
                WHERE archive_id = $1 AND restored_at IS NULL FOR UPDATE
                """, [.int8(archiveID)], table: "purged_users")
            guard archived.count == 1 else { throw PurgedUser.restoredMeanwhile(archiveID: archiveID) }
            let row = archived.row(0)
            let purgedAt = try row.date(1) ?? instant
            // The user columns follow the first two.
            var user = try PGRecords.user(PGRow(result: archived, index: 0, offset: 2))
            let taken = try connection.query("SELECT user_id FROM users WHERE user_id = $1 OR upper(email) = upper($2) LIMIT 1",
                                             [.text(user.userID), .text(user.email)])
            if taken.count == 1 {
                throw PurgedUser.cannotRestore(user, takenBy: try taken.row(0).text(0) ?? "")
            }
            // Marked first (the archive row stays, so that the log still shows the purge): an id
            // of an archived account not restored is refused by users_no_purged_ids.
            try connection.query("UPDATE purged_users SET restored_at = $1 WHERE archive_id = $2", [.timestamptz(instant), .int8(archiveID)])
            // Back with its old id (ids are never reused, so it is free). Its activation window
            // restarts now: otherwise the next purge would delete it again at once.
            user.activationSentAt = instant
            try connection.query(ArchivedColumns.restore(sentAt: "$1", archiveID: "$2"), [.timestamptz(instant), .int8(archiveID)])
            try audit(connection, .restore, user, .ok, AuditDetail.restored(purgedAt: purgedAt), at: instant)
            return user
        }
    }
}
