/// `export` and `import`: every row of every table, ids and datetimes exact (TransferRecord);
/// import through COPY.
extension PostgresStore {
    private static let tables: [(name: String, key: String)] = [
        ("users", "id"), ("audit_log", "id"), ("purged_users", "archive_id"), ("outbox", "id"),
    ]

    public func exportAll(_ body: (TransferRecord) throws -> Void) throws {
        try connected { connection in
            // One snapshot for all four tables, whatever other hosts write meanwhile.
            try connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            defer { _ = try? connection.execute("ROLLBACK") }
            try connection.stream("SELECT \(PGRecords.userColumns) FROM users ORDER BY id", table: "users") {
                try body(.user(try PGRecords.user($0)))
            }
            try connection.stream("""
                SELECT id, at, os_user, action, account_id, user_id, outcome, detail, NULL::timestamptz FROM audit_log ORDER BY id
                """, table: "audit_log") { try body(.audit(try PGRecords.auditEntry($0))) }
            try connection.stream("""
                SELECT archive_id, purged_at, audit_id, restored_at, \(PGRecords.userColumns) FROM purged_users ORDER BY archive_id
                """, table: "purged_users") { row in
                try body(.purgedUser(PurgedUser(archiveID: try row.required(row.integer(0), "archive_id"),
                                                user: try PGRecords.user(PGRow(result: row.result, index: row.index, offset: 4)),
                                                purgedAt: try row.required(row.date(1), "purged_at"), auditID: try row.integer(2),
                                                restoredAt: try row.date(3))))
            }
            try connection.stream("""
                SELECT o.id, o.account_id, NULL::text, o.recipient, o.state, o.attempts, o.last_code, o.last_reply,
                       o.created_at, o.updated_at, o.next_attempt_at, o.sent_at, o.kind FROM outbox o ORDER BY o.id
                """, table: "outbox") { try body(.outbox(try PGRecords.outboxEntry($0))) }
            let last = try connection.query("""
                SELECT \(Self.tables.map { "coalesce(pg_sequence_last_value(pg_get_serial_sequence('\($0.name)', '\($0.key)')::regclass), 0)" }
                            .joined(separator: ", "))
                """).row(0)
            try body(.sequences(TransferSequences(users: try last.integer(0) ?? 0, purgedUsers: try last.integer(2) ?? 0,
                                                  auditLog: try last.integer(1) ?? 0, outbox: try last.integer(3) ?? 0)))
        }
    }

    public func importAll(append: Bool, _ records: (_ each: (TransferRecord) throws -> Void) throws -> Void) throws -> TransferCounts {
        // As long as the data takes: a COPY of a million rows and the index builds are no slow
        // statements (the lock_timeout of the transaction still bounds any wait for a lock).
        try connected { connection in
            try connection.unbounded { try connection.transaction { try importRows(connection, append: append, records) } }
        }
    }

    private func importRows(_ connection: PGConnection, append: Bool,
                            _ records: (_ each: (TransferRecord) throws -> Void) throws -> Void) throws -> TransferCounts {
        if !append {
            for (table, _) in Self.tables {
                let found = try connection.query("SELECT EXISTS (SELECT 1 FROM \(table))", table: table).row(0)
                if try found.bool(0) == true {
                    throw AccountsError.importTargetNotEmpty(description, table: table)
                }
            }
        }
        // Into an empty database, users' own indexes are built once at the end instead of
        // updated a million times (a third of the time). The drop locks users until the
        // commit, so nothing else writes to it meanwhile; a unique index that cannot be
        // built again (two emails equal but for case) fails the import, which is undone.
        let setAside = try !append && ownsUsers(connection)
        if setAside {
            for index in PostgresSchema.usersIndexes { try connection.execute("DROP INDEX \(index.name)") }
        }
        var counts = TransferCounts()
        var sequences: TransferSequences?
        var copying: String?
        var rows = PGCopyText()
        func flush() throws {
            guard !rows.bytes.isEmpty else { return }
            try connection.putCopyData(rows.bytes)
            rows.clear()
        }
        func end() throws {
            guard copying != nil else { return }
            try flush()
            try connection.endCopy()
            copying = nil
        }
        try records { record in
            if case .sequences(let last) = record {
                sequences = last
                return
            }
            if copying != record.table {
                try end()
                try connection.beginCopy("COPY \(record.table) (\(Self.copyColumns(record))) FROM STDIN", table: record.table)
                copying = record.table
            }
            Self.append(record, to: &rows)
            counts.count(record)
            if rows.bytes.count >= 1 << 18 { try flush() }
        }
        try end()
        if setAside {
            for index in PostgresSchema.usersIndexes { try connection.execute(index.definition) }
        }
        // Every sequence past its largest id and the exported high-water mark, never back.
        let exported: [Int64] = sequences.map { [$0.users, $0.auditLog, $0.purgedUsers, $0.outbox] } ?? [0, 0, 0, 0]
        for ((table, key), mark) in zip(Self.tables, exported) {
            try connection.query("""
                SELECT setval(sequence, greatest($1, (SELECT max(\(key)) FROM \(table)), coalesce(pg_sequence_last_value(sequence), 0)))
                FROM (SELECT pg_get_serial_sequence('\(table)', '\(key)')::regclass AS sequence) s
                WHERE greatest($1, (SELECT max(\(key)) FROM \(table))) > 0
                """, [.int8(mark)], table: table)
        }
        return counts
    }

    /// Whether this role may drop and make users' indexes (it made them unless Django's migrate
    /// ran as another role and granted accounts only the rows).
    private func ownsUsers(_ connection: PGConnection) throws -> Bool {
        try connection.query("SELECT pg_has_role(relowner, 'USAGE') FROM pg_class WHERE oid = 'users'::regclass").row(0).bool(0) ?? false
    }

    private static func copyColumns(_ record: TransferRecord) -> String {
        switch record {
        case .user: PGRecords.userColumns
        case .purgedUser: "archive_id, \(PGRecords.userColumns), purged_at, audit_id, restored_at"
        case .audit: "id, at, os_user, action, account_id, user_id, outcome, detail"
        case .outbox: "id, account_id, recipient, state, attempts, last_code, last_reply, created_at, updated_at, next_attempt_at, sent_at, kind"
        case .sequences: ""
        }
    }

    private static func append(_ record: TransferRecord, to rows: inout PGCopyText) {
        func user(_ user: User) {
            rows.integer(user.id); rows.text(user.userID); rows.text(user.email); rows.text(user.password); rows.bool(user.isActive)
            rows.text(user.level); rows.text(user.department); rows.date(user.dateJoined); rows.date(user.lastLogin)
            rows.date(user.activationSentAt); rows.date(user.activatedAt)
        }
        switch record {
        case .user(let value):
            user(value)
        case .purgedUser(let purged):
            rows.integer(purged.archiveID); user(purged.user); rows.date(purged.purgedAt); rows.integer(purged.auditID); rows.date(purged.restoredAt)
        case .audit(let entry):
            rows.integer(entry.id); rows.date(entry.at); rows.text(entry.osUser); rows.text(entry.action.rawValue)
            rows.integer(entry.accountID); rows.text(entry.userID); rows.text(entry.outcome.rawValue); rows.text(entry.detail)
        case .outbox(let entry):
            rows.integer(entry.id); rows.integer(entry.accountID); rows.text(entry.recipient); rows.text(entry.state.rawValue)
            rows.integer(Int64(entry.attempts)); rows.integer(entry.lastCode.map { Int64($0) }); rows.text(entry.lastReply)
            rows.date(entry.createdAt); rows.date(entry.updatedAt); rows.date(entry.nextAttemptAt); rows.date(entry.sentAt)
            rows.text(entry.kind.rawValue)
        case .sequences:
            return
        }
        rows.endRow()
    }
}
