import GRDB

/// The audit log: appended to inside the transaction of each change, read by `accounts log`.
extension SQLiteStore {
    public func forEachAuditEntry(_ query: AuditQuery, _ body: (AuditEntry) throws -> Void) throws {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let ids = query.accountIDs {
            conditions.append(ids.isEmpty ? "0" : "account_id IN (\(Array(repeating: "?", count: ids.count).joined(separator: ",")))")
            arguments += StatementArguments(ids)
        }
        if let text = query.userIDText {
            conditions.append("user_id = ?")
            arguments += [text]
        }
        if let since = query.since {
            conditions.append("at >= ?")
            arguments += [since]
        }
        if let action = query.action {
            conditions.append("action = ?")
            arguments += [action.rawValue]
        }
        let filter = conditions.isEmpty ? "1" : conditions.joined(separator: " AND ")
        // Inside both halves, so that the primary key finds what is new without reading the rest.
        let (after, afterPurge) = query.afterID == nil ? ("", "") : ("AND id > ?", "AND a.id > ?")
        // The two halves come first in the statement, and so do their arguments.
        if let afterID = query.afterID { arguments = [afterID, afterID] + arguments }
        // A purge's one audit_log row stands for an entry per account it removed, read from purged_users.
        let entries = """
            SELECT id, at, os_user, action, account_id, user_id, outcome, detail, NULL AS window_start, 0 AS part
            FROM audit_log WHERE action <> 'purge' \(after)
            UNION ALL
            SELECT a.id, a.at, a.os_user, a.action, p.id, p.user_id, a.outcome, a.detail,
                   coalesce(p.activation_sent_at, p.date_joined), p.archive_id
            FROM audit_log a JOIN purged_users p ON p.audit_id = a.id WHERE a.action = 'purge' \(afterPurge)
            """
        var sql = "SELECT * FROM (\(entries)) WHERE \(filter) ORDER BY id, part"
        if let limit = query.limit {
            sql = "SELECT * FROM (SELECT * FROM (\(entries)) WHERE \(filter) ORDER BY id DESC, part DESC LIMIT \(max(0, limit))) ORDER BY id, part"
        }
        try read { db in
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
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
