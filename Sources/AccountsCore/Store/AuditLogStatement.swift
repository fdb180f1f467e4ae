/// A value `log`'s statement binds.
enum AuditLogValue {
    case integer(Int64)
    case text(String)
    case instant(UTCDateTime)
}

/// What differs between the dialects in `log`'s statement: how a value is bound (SQLite's `?`,
/// PostgreSQL's `$n`), in the order the statement holds them, and how a column is matched
/// against a list of ids.
protocol AuditLogBinder {
    mutating func placeholder(for value: AuditLogValue) -> String
    mutating func anyOf(_ ids: [Int64], column: String) -> String
}

/// The statement `forEachAuditEntry` reads the log with, written once for both stores (the
/// casts are standard SQL both accept). A purge batch's one audit_log row stands for an entry
/// per account it removed, read from purged_users; the entries come out by id, and a batch's by
/// archive row (`part`). Columns, in order: id, at, os_user, action, account_id, user_id,
/// outcome, detail, window_start, part.
enum AuditLogStatement {
    static func sql(_ query: AuditQuery, _ binder: inout some AuditLogBinder) -> String {
        // Inside both halves, so that the primary key finds what is new without reading the rest.
        let after = query.afterID.map { "AND id > \(binder.placeholder(for: .integer($0)))" } ?? ""
        let afterPurge = query.afterID.map { "AND a.id > \(binder.placeholder(for: .integer($0)))" } ?? ""
        var conditions: [String] = []
        if let ids = query.accountIDs { conditions.append(binder.anyOf(ids, column: "account_id")) }
        if let text = query.userIDText { conditions.append("user_id = \(binder.placeholder(for: .text(text)))") }
        if let since = query.since { conditions.append("at >= \(binder.placeholder(for: .instant(since)))") }
        if let action = query.action { conditions.append("action = \(binder.placeholder(for: .text(action.rawValue)))") }
        let filter = conditions.isEmpty ? "true" : conditions.joined(separator: " AND ")
        let entries = """
            SELECT id, at, os_user, action, account_id, user_id, outcome, detail,
                   CAST(NULL AS timestamptz) AS window_start, CAST(0 AS bigint) AS part
            FROM audit_log WHERE action <> 'purge' \(after)
            UNION ALL
            SELECT a.id, a.at, a.os_user, a.action, p.id, CAST(p.user_id AS text), a.outcome, a.detail,
                   coalesce(p.activation_sent_at, p.date_joined), p.archive_id
            FROM audit_log a JOIN purged_users p ON p.audit_id = a.id WHERE a.action = 'purge' \(afterPurge)
            """
        guard let limit = query.limit else { return "SELECT * FROM (\(entries)) e WHERE \(filter) ORDER BY id, part" }
        // The newest, still oldest first.
        return """
            SELECT * FROM (SELECT * FROM (\(entries)) e WHERE \(filter) ORDER BY id DESC, part DESC LIMIT \(max(0, limit))) newest
            ORDER BY id, part
            """
    }
}
