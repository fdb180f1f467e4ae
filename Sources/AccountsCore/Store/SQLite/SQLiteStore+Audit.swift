import GRDB

/// The audit log: appended to inside the transaction of each change, read by `accounts log`.
extension SQLiteStore {
    public func forEachAuditEntry(_ query: AuditQuery, _ body: (AuditEntry) throws -> Void) throws {
        var binder = SQLiteAuditBinder()
        let sql = AuditLogStatement.sql(query, &binder)
        try read { db in
            let rows = try Row.fetchCursor(db, sql: sql, arguments: binder.arguments)
            while let row = try rows.next() {
                try body(try AuditEntry(row: row))
            }
        }
    }

    public func auditIDs(after id: Int64) throws -> [Int64] {
        try read { db in try Int64.fetchAll(db, sql: "SELECT id FROM audit_log WHERE id > ? ORDER BY id", arguments: [id]) }
    }

    public func lastAuditID() throws -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM audit_log") ?? 0 }
    }

    /// Appends to audit_log inside the caller's write transaction.
    func audit(_ db: Database, _ action: AuditAction, _ user: User, _ outcome: AuditOutcome, _ detail: String,
                       at instant: UTCDateTime) throws {
        try db.cachedStatement(sql: """
            INSERT INTO audit_log (at, os_user, action, account_id, user_id, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [instant, actor, action.rawValue, user.id, user.userID, outcome.rawValue, detail])
    }
}

/// `?` for each value, in order.
struct SQLiteAuditBinder: AuditLogBinder {
    private(set) var arguments = StatementArguments()

    mutating func placeholder(for value: AuditLogValue) -> String {
        switch value {
        case .integer(let number): arguments += [number]
        case .text(let text): arguments += [text]
        case .instant(let instant): arguments += [instant]
        }
        return "?"
    }

    mutating func anyOf(_ ids: [Int64], column: String) -> String {
        guard !ids.isEmpty else { return "false" }
        arguments += StatementArguments(ids)
        return "\(column) IN (\(Array(repeating: "?", count: ids.count).joined(separator: ",")))"
    }
}
