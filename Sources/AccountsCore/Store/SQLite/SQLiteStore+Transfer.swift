import GRDB

/// `export` and `import`: every row of every table, ids and datetimes exact (TransferRecord).
extension SQLiteStore {
    public func exportAll(_ body: (TransferRecord) throws -> Void) throws {
        // One read transaction: a snapshot, whatever other processes write meanwhile.
        try read { db in
            let users = try Row.fetchCursor(db, sql: "SELECT * FROM users ORDER BY id")
            var columns: UserColumns?
            while let row = try users.next() {
                if columns == nil { columns = try UserColumns(row) }
                try body(.user(try columns!.user(row)))
            }
            let audit = try Row.fetchCursor(db, sql: """
                SELECT id, at, os_user, action, account_id, user_id, outcome, detail, NULL AS window_start FROM audit_log ORDER BY id
                """)
            while let row = try audit.next() { try body(.audit(try AuditEntry(row: row))) }
            let purged = try Row.fetchCursor(db, sql: "SELECT * FROM purged_users ORDER BY archive_id")
            columns = nil
            while let row = try purged.next() {
                if columns == nil { columns = try UserColumns(row) }
                let table = "purged_users"
                guard let purgedAt = try row.date("purged_at", table: table) else { throw row.damaged("purged_at", holding: "NULL", table: table) }
                try body(.purgedUser(PurgedUser(archiveID: try row.field("archive_id", table: table), user: try columns!.user(row),
                                                purgedAt: purgedAt, auditID: try row.field("audit_id", table: table),
                                                restoredAt: try row.date("restored_at", table: table))))
            }
            let outbox = try Row.fetchCursor(db, sql: "SELECT outbox.*, NULL AS user_id FROM outbox ORDER BY id")
            while let row = try outbox.next() { try body(.outbox(try OutboxEntry(row: row))) }
            var last: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, seq FROM sqlite_sequence") {
                last[try row.field("name", table: "sqlite_sequence")] = try row.field("seq", table: "sqlite_sequence")
            }
            try body(.sequences(TransferSequences(users: last["users"] ?? 0, purgedUsers: last["purged_users"] ?? 0,
                                                  auditLog: last["audit_log"] ?? 0, outbox: last["outbox"] ?? 0)))
        }
    }

    public func importAll(append: Bool, _ records: (_ each: (TransferRecord) throws -> Void) throws -> Void) throws -> TransferCounts {
        try write(manyStatements: true) { db in
            if !append, let table = try Self.firstNonEmptyTable(db) {
                throw AccountsError.importTargetNotEmpty(path, table: table)
            }
            var counts = TransferCounts()
            var sequences: TransferSequences?
            let insertUser = try db.makeStatement(sql: """
                INSERT INTO users (\(ArchivedColumns.list())) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let insertPurged = try db.makeStatement(sql: """
                INSERT INTO purged_users (archive_id, \(ArchivedColumns.list()), purged_at, audit_id, restored_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let insertAudit = try db.makeStatement(sql: """
                INSERT INTO audit_log (id, at, os_user, action, account_id, user_id, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let insertOutbox = try db.makeStatement(sql: """
                INSERT INTO outbox (id, account_id, recipient, state, attempts, last_code, last_reply, created_at, updated_at,
                                    next_attempt_at, sent_at, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            func userArguments(_ user: User) -> StatementArguments {
                [user.id, user.userID, user.email, user.password, user.isActive ? 1 : 0, user.level, user.department,
                 user.dateJoined, user.lastLogin, user.activationSentAt, user.activatedAt]
            }
            try records { record in
                do {
                    switch record {
                    case .user(let user):
                        try insertUser.execute(arguments: userArguments(user))
                    case .purgedUser(let purged):
                        try insertPurged.execute(arguments: [purged.archiveID] + userArguments(purged.user)
                                                 + [purged.purgedAt, purged.auditID, purged.restoredAt])
                    case .audit(let entry):
                        try insertAudit.execute(arguments: [entry.id, entry.at, entry.osUser, entry.action.rawValue, entry.accountID,
                                                            entry.userID, entry.outcome.rawValue, entry.detail])
                    case .outbox(let entry):
                        try insertOutbox.execute(arguments: [entry.id, entry.accountID, entry.recipient, entry.state.rawValue,
                                                             entry.attempts, entry.lastCode, entry.lastReply, entry.createdAt,
                                                             entry.updatedAt, entry.nextAttemptAt, entry.sentAt, entry.kind.rawValue])
                    case .sequences(let last):
                        sequences = last
                    }
                } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                    throw AccountsError(.badData, "\(record.table) row \(record.identity) clashes with the database: \(error.message ?? "constraint failed")")
                }
                counts.count(record)
            }
            // Every sequence past its largest id and the exported high-water mark, never back.
            let last = sequences ?? TransferSequences(users: 0, purgedUsers: 0, auditLog: 0, outbox: 0)
            for (table, value) in [("users", last.users), ("purged_users", last.purgedUsers), ("audit_log", last.auditLog), ("outbox", last.outbox)] {
                try db.execute(sql: "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?", arguments: [value, table])
                if db.changesCount == 0, value > 0 {
                    try db.execute(sql: "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", arguments: [table, value])
                }
            }
            return counts
        }
    }

    private static func firstNonEmptyTable(_ db: Database) throws -> String? {
        for table in ["users", "purged_users", "audit_log", "outbox"] {
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(table))") == true { return table }
        }
        return nil
    }
}
