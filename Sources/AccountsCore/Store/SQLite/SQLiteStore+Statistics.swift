import GRDB

/// `stats`, in SQL: one count per state through `condition(for:cutoff:)`, and the audit log grouped.
extension SQLiteStore {
    public func statistics(since: UTCDateTime?, expiryCutoff: UTCDateTime) throws -> AccountStatistics {
        let from = since ?? UTCDateTime(epochSeconds: -62_135_596_800) // 0001-01-01
        return try read { db in
            let accounts = try Self.accountCounts(db, cutoff: expiryCutoff)
            var events: [AuditAction: [AuditOutcome: Int]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT action, outcome, count(*) AS n FROM audit_log WHERE at >= ? GROUP BY action, outcome",
                                        arguments: [from]) {
                let action: String = try row.field("action", table: "audit_log")
                let outcome: String = try row.field("outcome", table: "audit_log")
                guard let known = AuditAction(rawValue: action), let result = AuditOutcome(rawValue: outcome) else { continue }
                events[known, default: [:]][result] = try row.field("n", table: "audit_log")
            }
            let purged = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM purged_users p JOIN audit_log a ON a.id = p.audit_id WHERE a.action = 'purge' AND a.at >= ?
                """, arguments: [from]) ?? 0
            let retried = try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE attempts > 1 AND updated_at >= ?", arguments: [from]) ?? 0 // outbox_retried
            var delays: [Int64] = []
            for row in try Row.fetchAll(db, sql: """
                SELECT a.at, u.date_joined FROM audit_log a JOIN users u ON u.id = a.account_id
                WHERE a.action = 'activate' AND a.outcome = 'ok' AND a.at >= ?
                """, arguments: [from]) {
                guard let at = try row.date("at", table: "audit_log"), let joined = try row.date("date_joined", table: "users") else { continue }
                delays.append(max(0, at.epochSeconds - joined.epochSeconds))
            }
            return AccountStatistics(since: since, accounts: accounts, events: events, purgedAccounts: purged, retriedMails: retried,
                                     activationDelays: delays)
        }
    }

    /// Accounts by state, each count from an index: the never-activated ones from
    /// users_never_activated (the pending by its range), the deactivated ones from
    /// users_deactivated, every account from the smallest index; active is what is left.
    static func accountCounts(_ db: Database, cutoff: UTCDateTime) throws -> [AccountState: Int] {
        func count(_ state: AccountState?) throws -> Int {
            let (condition, arguments) = Self.condition(for: state, cutoff: cutoff)
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM users WHERE \(condition)", arguments: arguments) ?? 0
        }
        let all = try count(nil), pending = try count(.pending)
        let neverActivated = try Int.fetchOne(db, sql: "SELECT count(*) FROM users WHERE \(Self.neverActivated)") ?? 0
        let inactive = try count(.inactive)
        return [.active: all - neverActivated - inactive, .pending: pending, .expired: neverActivated - pending, .inactive: inactive]
    }
}
