/// The audit log: appended to inside the transaction of each change, read by `accounts log`.
extension PostgresStore {
    public func forEachAuditEntry(_ query: AuditQuery, _ body: (AuditEntry) throws -> Void) throws {
        var conditions: [String] = []
        var bindings = PGBindings()
        if let ids = query.accountIDs { conditions.append("account_id = ANY(\(bindings.bind(.int8Array(ids)))::bigint[])") }
        if let text = query.userIDText { conditions.append("user_id = \(bindings.bind(.text(text)))") }
        if let since = query.since { conditions.append("at >= \(bindings.bind(.timestamptz(since)))") }
        if let action = query.action { conditions.append("action = \(bindings.bind(.text(action.rawValue)))") }
        let filter = conditions.isEmpty ? "true" : conditions.joined(separator: " AND ")
        // Inside both halves, so that the primary key finds what is new without reading the rest.
        var (after, afterPurge) = ("", "")
        if let afterID = query.afterID {
            let placeholder = bindings.bind(.int8(afterID))
            (after, afterPurge) = ("AND id > \(placeholder)", "AND a.id > \(placeholder)")
        }
        // A purge batch's one audit_log row stands for an entry per account it removed, read from purged_users.
        let entries = """
            SELECT id, at, os_user, action, account_id, user_id, outcome, detail, NULL::timestamptz AS window_start, 0::bigint AS part
            FROM audit_log WHERE action <> 'purge' \(after)
            UNION ALL
            SELECT a.id, a.at, a.os_user, a.action, p.id, p.user_id::text, a.outcome, a.detail,
                   coalesce(p.activation_sent_at, p.date_joined), p.archive_id
            FROM audit_log a JOIN purged_users p ON p.audit_id = a.id WHERE a.action = 'purge' \(afterPurge)
            """
        var sql = "SELECT * FROM (\(entries)) e WHERE \(filter) ORDER BY id, part"
        if let limit = query.limit {
            sql = "SELECT * FROM (SELECT * FROM (\(entries)) e WHERE \(filter) ORDER BY id DESC, part DESC LIMIT \(max(0, limit))) newest ORDER BY id, part"
        }
        try connected { connection in
            try connection.stream(sql, bindings.parameters, table: "audit_log") { try body(try PGRecords.auditEntry($0)) }
        }
    }

    public func auditIDs(after id: Int64) throws -> [Int64] {
        try connected { connection in
            let result = try connection.query("SELECT id FROM audit_log WHERE id > $1 ORDER BY id", [.int8(id)], table: "audit_log")
            return try (0..<result.count).map { try result.row($0).required(result.row($0).integer(0), "id") }
        }
    }

    public func lastAuditID() throws -> Int64 {
        try connected { connection in
            try connection.query("SELECT coalesce(max(id), 0) FROM audit_log", table: "audit_log").row(0).integer(0) ?? 0
        }
    }

    /// Appends to audit_log inside the caller's transaction.
    func audit(_ connection: PGConnection, _ action: AuditAction, _ user: User, _ outcome: AuditOutcome, _ detail: String,
               at instant: UTCDateTime) throws {
        try connection.query("""
            INSERT INTO audit_log (at, os_user, action, account_id, user_id, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)
            """, [.timestamptz(instant), .text(actor), .text(action.rawValue), .int8(user.id), .text(user.userID),
                  .text(outcome.rawValue), .text(detail)], table: "audit_log")
    }
}
