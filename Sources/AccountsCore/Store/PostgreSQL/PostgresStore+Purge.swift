/// Purge and restore. A purge runs in batches, each one transaction that archives, deletes and
/// audits its accounts, so a site keeps registering while a million rows go, and a purge killed
/// halfway leaves whole batches only.
extension PostgresStore {
    public func purgeExpired(cutoff: UTCDateTime, at instant: UTCDateTime, batchSize: Int, progress: (Int) -> Void) throws -> Int {
        try acquirePurgeLease()
        defer { _ = try? read { connection in
            try connection.query("DELETE FROM purge_lease WHERE name = $1 AND holder = $2", [.text(PurgeLease.name), .text(PurgeLease.holder)])
        } }
        let expired = "\(Self.neverActivated) AND \(Self.windowStart) < $1"
        var total = 0
        while true {
            let purged = try write { connection -> Int in
                let renewed = try connection.query("UPDATE purge_lease SET renewed_at = clock_timestamp() WHERE name = $1 AND holder = $2",
                                                   [.text(PurgeLease.name), .text(PurgeLease.holder)])
                guard renewed.affected == 1 else { throw PurgeLease.lost }
                // The batch, locked: rows another transaction holds (an activation in flight)
                // are skipped, not waited for; the ones taken cannot change until the commit.
                let chosen = try connection.query("""
                    SELECT id FROM users WHERE \(expired) ORDER BY \(Self.windowStart), id LIMIT $2 FOR UPDATE SKIP LOCKED
                    """, [.timestamptz(cutoff), .int8(Int64(batchSize))])
                let ids = try (0..<chosen.count).map { try chosen.row($0).required(chosen.row($0).integer(0), "id") }
                guard !ids.isEmpty else { return 0 }
                let logged = try connection.query("""
                    INSERT INTO audit_log (at, os_user, action, account_id, user_id, outcome, detail)
                    VALUES ($1, $2, 'purge', NULL, NULL, 'ok', $3) RETURNING id
                    """, [.timestamptz(instant), .text(actor), .text(AuditDetail.purged(count: ids.count, cutoff: cutoff))], table: "audit_log")
                let auditID = try logged.row(0).required(logged.row(0).integer(0), "id")
                // The predicate is in the DELETE itself too, not only in the choice of ids, so
                // that no account that is not expired can ever be deleted, however it was chosen.
                let archived = try connection.query("""
                    WITH doomed AS (DELETE FROM users WHERE \(expired) AND id = ANY($2::bigint[]) RETURNING *)
                    INSERT INTO purged_users (id, user_id, email, password, is_active, level, department, date_joined,
                                              last_login, activation_sent_at, activated_at, purged_at, audit_id)
                    SELECT id, user_id, email, password, is_active, level, department, date_joined,
                           last_login, activation_sent_at, activated_at, $3, $4
                    FROM doomed ORDER BY \(Self.windowStart), id
                    """, [.timestamptz(cutoff), .int8Array(ids), .timestamptz(instant), .int8(auditID)]).affected
                guard archived == ids.count else {
                    throw AccountsError(.unavailable, "purge aborted: chose \(ids.count) rows, archived \(archived)")
                }
                return archived
            }
            total += purged
            progress(total)
            if purged < batchSize { return total }
        }
    }

    /// Takes the purge lease, or throws "another purge is running".
    private func acquirePurgeLease() throws {
        func take(overFrom gone: String) throws -> Bool {
            try read { connection in
                try connection.query("""
                    INSERT INTO purge_lease (name, holder, acquired_at, renewed_at) VALUES ($1, $2, clock_timestamp(), clock_timestamp())
                    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at, renewed_at = excluded.renewed_at
                    WHERE purge_lease.renewed_at < clock_timestamp() - make_interval(secs => $3) OR purge_lease.holder = $4
                    """, [.text(PurgeLease.name), .text(PurgeLease.holder), .int8(PurgeLease.lapse), .text(gone)], table: "purge_lease").affected == 1
            }
        }
        if try take(overFrom: PurgeLease.holder) { return }
        let current = try read { connection in
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

    public func restore(_ reference: String, at instant: UTCDateTime) throws -> User {
        try write { connection in
            // The latest archived copy: a user_id may have been registered and purged more than once.
            let archived = try connection.query("""
                SELECT archive_id, purged_at, \(PGRecords.userColumns) FROM purged_users
                WHERE (user_id = $1 OR upper(email) = upper($1)) AND restored_at IS NULL
                ORDER BY archive_id DESC LIMIT 1 FOR UPDATE
                """, [.text(reference)], table: "purged_users")
            guard archived.count == 1 else {
                let current = try connection.query("SELECT id, user_id FROM users WHERE user_id = $1 OR upper(email) = upper($1) LIMIT 1",
                                                   [.text(reference)])
                if current.count == 1 {
                    let row = current.row(0)
                    throw AccountsError(.badData, "account '\(printable(try row.text(1) ?? ""))' is not purged: it exists, with id \(try row.integer(0) ?? 0)")
                }
                throw AccountsError(.noSuchUser, "no purged account with user_id or email '\(printable(reference))'", hint: .seePurgeLog)
            }
            let row = archived.row(0)
            let archiveID = try row.required(row.integer(0), "archive_id")
            let purgedAt = try row.date(1) ?? instant
            // The user columns follow the first two.
            var user = try PGRecords.user(PGRow(result: archived, index: 0, offset: 2))
            let taken = try connection.query("SELECT user_id FROM users WHERE user_id = $1 OR upper(email) = upper($2) LIMIT 1",
                                             [.text(user.userID), .text(user.email)])
            if taken.count == 1 {
                throw AccountsError(.badData, "cannot restore '\(printable(user.userID))': account '\(printable(try taken.row(0).text(0) ?? ""))' now has its user_id or email")
            }
            // Marked first (the archive row stays, so that the log still shows the purge): an id
            // of an archived account not restored is refused by users_no_purged_id.
            try connection.query("UPDATE purged_users SET restored_at = $1 WHERE archive_id = $2", [.timestamptz(instant), .int8(archiveID)])
            // Back with its old id (ids are never reused, so it is free). Its activation window
            // restarts now: otherwise the next purge would delete it again at once.
            user.activationSentAt = instant
            try connection.query("""
                INSERT INTO users (id, user_id, email, password, is_active, level, department, date_joined,
                                   last_login, activation_sent_at, activated_at)
                SELECT id, user_id, email, password, is_active, level, department, date_joined, last_login, $1, activated_at
                FROM purged_users WHERE archive_id = $2
                """, [.timestamptz(instant), .int8(archiveID)])
            try audit(connection, .restore, user, .ok, AuditDetail.restored(purgedAt: purgedAt), at: instant)
            return user
        }
    }
}
