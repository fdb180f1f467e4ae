/// The audit log: appended to inside the transaction of each change, read by `accounts log`.
extension PostgresStore {
    public func forEachAuditEntry(_ query: AuditQuery, _ body: (AuditEntry) throws -> Void) throws {
        var bindings = PGBindings()
        let sql = AuditLogStatement.sql(query, &bindings)
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
