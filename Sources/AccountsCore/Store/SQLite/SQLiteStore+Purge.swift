import GRDB

/// Purge and restore: every purged row is archived whole in purged_users, from where `restore`
/// puts it back under its old id.
extension SQLiteStore {
    public func purgeExpired(cutoff: UTCDateTime, at instant: UTCDateTime) throws -> Int {
        let (condition, arguments) = Self.condition(for: .expired, cutoff: cutoff)
        return try write { db in
            // The statements use one predicate inside one write transaction, so they see the same rows.
            let doomed = try Int.fetchOne(db, sql: "SELECT count(*) FROM users WHERE \(condition)", arguments: arguments) ?? 0
            guard doomed > 0 else { return 0 }
            try db.execute(sql: """
                INSERT INTO audit_log (at, os_user, action, account_id, user_id, outcome, detail) VALUES (?, ?, ?, NULL, NULL, ?, ?)
                """, arguments: [instant, actor, AuditAction.purge.rawValue, AuditOutcome.ok.rawValue,
                                 AuditDetail.purged(count: doomed, cutoff: cutoff)])
            let auditID = db.lastInsertedRowID
            try db.execute(sql: """
                INSERT INTO purged_users (id, user_id, email, password, is_active, level, department, date_joined,
                                          last_login, activation_sent_at, activated_at, purged_at, audit_id)
                SELECT id, user_id, email, password, is_active, level, department, date_joined,
                       last_login, activation_sent_at, activated_at, ?, ?
                FROM users WHERE \(condition)
                """, arguments: [instant, auditID] + arguments)
            let archived = db.changesCount
            try db.execute(sql: "DELETE FROM users WHERE \(condition)", arguments: arguments)
            guard archived == doomed, db.changesCount == archived else {
                throw AccountsError(.unavailable, "purge aborted: counted \(doomed) rows, archived \(archived), would delete \(db.changesCount)")
            }
            return archived
        }
    }

    public func restore(_ reference: String, at instant: UTCDateTime) throws -> User {
        try write { db in
            // The latest archived copy: a user_id may have been registered and purged more than once.
            guard let archived = try Row.fetchOne(db, sql: """
                SELECT * FROM purged_users WHERE (user_id = ? OR email = ? COLLATE NOCASE) AND restored_at IS NULL
                ORDER BY archive_id DESC LIMIT 1
                """, arguments: [reference, reference]) else {
                if let current = try Row.fetchOne(db, sql: "SELECT id, user_id FROM users WHERE user_id = ? OR email = ? COLLATE NOCASE LIMIT 1",
                                                  arguments: [reference, reference]) {
                    let userID: String = try current.field("user_id", table: "users")
                    throw AccountsError(.badData, "account '\(printable(userID))' is not purged: it exists, with id \(try current.field("id", table: "users") as Int64)")
                }
                throw AccountsError(.noSuchUser, "no purged account with user_id or email '\(printable(reference))'", hint: .seePurgeLog)
            }
            var user = try User(row: archived)
            let archiveID: Int64 = try archived.field("archive_id", table: "purged_users")
            if let row = try Row.fetchOne(db, sql: "SELECT user_id, email FROM users WHERE user_id = ? OR email = ? COLLATE NOCASE LIMIT 1",
                                          arguments: [user.userID, user.email]) {
                let taken: String = try row.field("user_id", table: "users")
                throw AccountsError(.badData, "cannot restore '\(printable(user.userID))': account '\(printable(taken))' now has its user_id or email")
            }
            // Back with its old id (ids are never reused, so it is free). Its activation window
            // restarts now: otherwise the next purge would delete it again at once.
            user.activationSentAt = instant
            try db.execute(sql: """
                INSERT INTO users (id, user_id, email, password, is_active, level, department, date_joined,
                                   last_login, activation_sent_at, activated_at)
                SELECT id, user_id, email, password, is_active, level, department, date_joined, last_login, ?, activated_at
                FROM purged_users WHERE archive_id = ?
                """, arguments: [instant, archiveID])
            // The archive row stays, marked, so that the log still shows the purge.
            try db.execute(sql: "UPDATE purged_users SET restored_at = ? WHERE archive_id = ?",
                           arguments: [instant, archiveID])
            let purgedAt = try archived.date("purged_at", table: "purged_users") ?? instant
            try audit(db, .restore, user, .ok, AuditDetail.restored(purgedAt: purgedAt), at: instant)
            return user
        }
    }
}
