import GRDB

/// An administrator's changes to one account (update, set-password, deactivate, reactivate,
/// delete) and what `show` reads. Each change is conditional on the row still being what the
/// workflow read, so a change made meanwhile by another process is never overwritten unseen. The
/// row is compared as decoded values inside the write transaction (which no other writer can
/// enter): dates written by other programs differ as text but not as instants.
extension SQLiteStore {
    public func update(_ user: User, to changed: User, action: AuditAction, detail: String, at instant: UTCDateTime) throws -> User? {
        try write { db in
            guard try current(db, user) else { return nil }
            if changed.userID != user.userID || !EmailAddress.same(changed.email, user.email) {
                if let row = try Row.fetchOne(db, sql: """
                    SELECT user_id, email FROM users WHERE id != ? AND (user_id = ? OR email = ? COLLATE NOCASE) LIMIT 1
                    """, arguments: [user.id, changed.userID, changed.email]) {
                    let owner: String = try row.field("user_id", table: "users")
                    throw AccountsError.taken(userID: changed.userID, email: changed.email, by: owner)
                }
            }
            do {
                try db.execute(sql: """
                    UPDATE users SET user_id = ?, email = ?, password = ?, is_active = ?, level = ?, department = ?
                    WHERE id = ?
                    """, arguments: [changed.userID, changed.email, changed.password, changed.isActive, changed.level, changed.department,
                                     user.id])
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw AccountsError.takenMeanwhile(userID: changed.userID, email: changed.email)
            }
            guard db.changesCount == 1 else { return nil }
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM users WHERE id = ?", arguments: [user.id]) else { return nil }
            let updated = try User(row: row)
            try audit(db, action, updated, .ok, detail, at: instant)
            return updated
        }
    }

    public func delete(_ user: User, detail: String, at instant: UTCDateTime) throws -> Bool {
        try write(manyStatements: true) { db in
            guard try current(db, user) else { return false }
            try audit(db, .delete, user, .ok, detail, at: instant)
            let auditID = db.lastInsertedRowID
            // Archived exactly as a purge archives, so that `restore` puts it back.
            try db.execute(sql: "\(Self.archiveUsers) WHERE id = ?", arguments: [instant, auditID, user.id])
            try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [user.id])
            return true
        }
    }

    public func latestMail(forAccount id: Int64) throws -> OutboxEntry? {
        try read { db in
            try Row.fetchOne(db, sql: """
                SELECT outbox.*, users.user_id FROM outbox LEFT JOIN users ON users.id = outbox.account_id
                WHERE account_id = ? ORDER BY outbox.id DESC LIMIT 1
                """, arguments: [id]).map(OutboxEntry.init(row:))
        }
    }

    public func archivedUsers(matching reference: AccountReference) throws -> [PurgedUser] {
        let (condition, arguments): (String, StatementArguments) = switch reference {
        case .either(let text): ("user_id = ? OR email = ? COLLATE NOCASE", [text, text])
        case .id(let id): ("id = ?", [id])
        case .userID(let text): ("user_id = ?", [text])
        case .email(let text): ("email = ? COLLATE NOCASE", [text])
        }
        return try read { db in
            let table = "purged_users"
            return try Row.fetchAll(db, sql: "SELECT * FROM purged_users WHERE \(condition) ORDER BY archive_id DESC", arguments: arguments).map { row in
                guard let purgedAt = try row.date("purged_at", table: table) else { throw row.damaged("purged_at", holding: "NULL", table: table) }
                return PurgedUser(archiveID: try row.field("archive_id", table: table), user: try User(row: row), purgedAt: purgedAt,
                                  auditID: try row.field("audit_id", table: table), restoredAt: try row.date("restored_at", table: table))
            }
        }
    }

    /// Whether the account's row still holds exactly `user`.
    private func current(_ db: Database, _ user: User) throws -> Bool {
        try Row.fetchOne(db, sql: "SELECT * FROM users WHERE id = ?", arguments: [user.id]).map(User.init(row:)) == user
    }
}
