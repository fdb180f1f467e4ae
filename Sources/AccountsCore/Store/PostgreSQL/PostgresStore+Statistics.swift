/// `stats`, in SQL (as SQLiteStore+Statistics).
extension PostgresStore {
    public func statistics(since: UTCDateTime?, expiryCutoff: UTCDateTime) throws -> AccountStatistics {
        let from = PGParameter.timestamptz(since ?? UTCDateTime(epochSeconds: -62_135_596_800)) // 0001-01-01
        return try connected { connection in
            let accounts = try Self.accountCounts(connection, cutoff: expiryCutoff)
            var events: [AuditAction: [AuditOutcome: Int]] = [:]
            let grouped = try connection.query("SELECT action, outcome, count(*) FROM audit_log WHERE at >= $1 GROUP BY action, outcome",
                                               [from], table: "audit_log")
            for index in 0..<grouped.count {
                let row = grouped.row(index)
                guard let action = AuditAction(rawValue: try row.text(0) ?? ""), let outcome = AuditOutcome(rawValue: try row.text(1) ?? "") else { continue }
                events[action, default: [:]][outcome] = Int(try row.integer(2) ?? 0)
            }
            let counts = try connection.query("""
                SELECT (SELECT count(*) FROM purged_users p JOIN audit_log a ON a.id = p.audit_id WHERE a.action = 'purge' AND a.at >= $1),
                       (SELECT count(*) FROM outbox WHERE attempts > 1 AND updated_at >= $1)
                """, [from]).row(0)
            let activations = try connection.query("""
                SELECT a.at, u.date_joined FROM audit_log a JOIN users u ON u.id = a.account_id
                WHERE a.action = 'activate' AND a.outcome = 'ok' AND a.at >= $1
                """, [from])
            let delays = try (0..<activations.count).compactMap { index -> Int64? in
                let row = activations.row(index)
                guard let at = try row.date(0), let joined = try row.date(1) else { return nil }
                return max(0, at.epochSeconds - joined.epochSeconds)
            }
            return AccountStatistics(since: since, accounts: accounts, events: events, purgedAccounts: Int(try counts.integer(0) ?? 0),
                                     retriedMails: Int(try counts.integer(1) ?? 0), activationDelays: delays)
        }
    }

    /// Accounts by state, each count from an index, in one statement: the never-activated ones
    /// from users_never_activated (the pending by its range), the deactivated ones from
    /// users_deactivated, every account from the primary key; active is what is left.
    static func accountCounts(_ connection: PGConnection, cutoff: UTCDateTime) throws -> [AccountState: Int] {
        let (pending, parameters) = condition(for: .pending, cutoff: cutoff)
        let (inactive, _) = condition(for: .inactive, cutoff: cutoff)
        let row = try connection.query("""
            SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM users WHERE \(neverActivated)),
                   (SELECT count(*) FROM users WHERE \(pending)), (SELECT count(*) FROM users WHERE \(inactive))
            """, parameters).row(0)
        let all = Int(try row.integer(0) ?? 0), never = Int(try row.integer(1) ?? 0)
        let pendingCount = Int(try row.integer(2) ?? 0), inactiveCount = Int(try row.integer(3) ?? 0)
        return [.active: all - never - inactiveCount, .pending: pendingCount, .expired: never - pendingCount, .inactive: inactiveCount]
    }
}
