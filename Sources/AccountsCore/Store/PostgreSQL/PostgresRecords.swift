/// The rows of the PostgreSQL store, read by position from the column lists below (one place
/// for each list and its decoding, so they cannot drift apart).
enum PGRecords {
    static let userColumns = "id, user_id, email, password, is_active, level, department, date_joined, last_login, activation_sent_at, activated_at"

    static func user(_ row: PGRow) throws -> User {
        func present<T>(_ value: T?, _ column: Int) throws -> T {
            guard let value else { throw row.damaged(column, holding: "NULL") }
            return value
        }
        return User(id: try present(row.integer(0), 0), userID: try present(row.text(1), 1), email: try present(row.text(2), 2),
                    password: try present(row.text(3), 3), isActive: try present(row.bool(4), 4),
                    level: try row.text(5), department: try row.text(6), dateJoined: try present(row.date(7), 7),
                    lastLogin: try row.date(8), activationSentAt: try row.date(9), activatedAt: try row.date(10))
    }

    /// An outbox row with its account's user_id now: `SELECT \(outboxColumns) FROM \(outboxJoin)`.
    static let outboxColumns = """
        o.id, o.account_id, u.user_id, o.recipient, o.state, o.attempts, o.last_code, o.last_reply, \
        o.created_at, o.updated_at, o.next_attempt_at, o.sent_at, o.kind
        """
    static let outboxJoin = "outbox o LEFT JOIN users u ON u.id = o.account_id"

    static func outboxEntry(_ row: PGRow) throws -> OutboxEntry {
        let stateText = try row.text(4) ?? ""
        guard let state = OutboxState(rawValue: stateText) else {
            throw AccountsError(.badData, "outbox row \(try row.integer(0) ?? 0) is damaged (state '\(printable(stateText))')")
        }
        return OutboxEntry(id: try row.required(row.integer(0), "id"), accountID: try row.required(row.integer(1), "account_id"),
                           kind: MailKind(rawValue: try row.required(row.text(12), "kind")),
                           userID: try row.text(2), recipient: try row.required(row.text(3), "recipient"), state: state,
                           attempts: Int(try row.required(row.integer(5), "attempts")), lastCode: try row.integer(6).map { Int($0) },
                           lastReply: try row.text(7), createdAt: try row.required(row.date(8), "created_at"),
                           updatedAt: try row.required(row.date(9), "updated_at"), nextAttemptAt: try row.date(10), sentAt: try row.date(11))
    }

    /// id, at, os_user, action, account_id, user_id, outcome, detail, window_start (a purged
    /// account's, whose entry's detail is written by AuditDetail, not stored).
    static func auditEntry(_ row: PGRow) throws -> AuditEntry {
        let actionText = try row.text(3) ?? ""
        let outcomeText = try row.text(6) ?? ""
        guard let at = try row.date(1), let action = AuditAction(rawValue: actionText), let outcome = AuditOutcome(rawValue: outcomeText) else {
            throw AccountsError(.badData, "audit_log row \(try row.integer(0) ?? 0) is damaged: '\(printable(actionText))' '\(printable(outcomeText))'")
        }
        let detail = try row.date(8).map(AuditDetail.purgedAccount(windowStart:)) ?? row.required(row.text(7), "detail")
        return AuditEntry(id: try row.required(row.integer(0), "id"), at: at, osUser: try row.required(row.text(2), "os_user"),
                          action: action, accountID: try row.integer(4), userID: try row.text(5), outcome: outcome, detail: detail)
    }
}
