import GRDB

/// The outbox half of the SQLite store: every mail is a row before it is sent, and a
/// row is taken (state `sending`) in its own transaction before the mail goes out, so no row is
/// ever sent twice, even by two processes at once.
extension SQLiteStore {
    public func enqueueMail(_ kind: MailKind, for user: User, at instant: UTCDateTime) throws -> OutboxEntry {
        try write { db in try Self.enqueue(db, kind, for: user, at: instant) }
    }

    public func outboxEntry(id: Int64) throws -> OutboxEntry? {
        try read { db in try Self.outboxEntry(db, id: id) }
    }

    public func claimPendingMails(notSentSince: UTCDateTime?, at instant: UTCDateTime) throws -> [PendingMailClaim] {
        try write { db in
            let candidates = try Row.fetchAll(db, sql: """
                SELECT * FROM users WHERE \(Self.neverActivated)
                  AND NOT EXISTS (SELECT 1 FROM outbox WHERE account_id = users.id AND kind = ? AND state = ? AND updated_at >= ?)
                ORDER BY id
                """, arguments: [MailKind.activation.rawValue, OutboxState.sending.rawValue, instant.adding(seconds: -OutboxEntry.interruptedAfter)])
            let cooling = try db.cachedStatement(sql: "SELECT \(Self.coolingDown)")
            let rows = try notSentSince.map { since in
                try candidates.filter { row in
                    try Bool.fetchOne(cooling, arguments: [try row.field("id", table: "users") as Int64, since]) != true
                }
            } ?? candidates
            var claims: [PendingMailClaim] = []
            for row in rows {
                let user = try User(row: row)
                let entry = try Self.waitingMail(db, .activation, for: user) ?? Self.enqueue(db, .activation, for: user, at: instant)
                try db.execute(sql: "UPDATE users SET activation_sent_at = ? WHERE id = ?", arguments: [instant, user.id])
                claims.append(PendingMailClaim(mailID: entry.id, accountID: user.id, previous: user.activationSentAt))
            }
            return claims
        }
    }

    // The per-mail statements below are cached: compiling them anew for each of a bulk run's mails
    // cost more CPU than sending them.

    public func beginSending(_ entry: OutboxEntry, at instant: UTCDateTime) throws -> OutboxEntry? {
        try write { db in
            try db.cachedStatement(sql: """
                UPDATE outbox SET state = ?, attempts = attempts + 1, updated_at = ?
                WHERE id = ? AND state IN (?, ?)
                """).execute(arguments: [OutboxState.sending.rawValue, instant, entry.id,
                                 OutboxState.queued.rawValue, OutboxState.failedTemporary.rawValue])
            guard db.changesCount == 1 else { return nil }
            return try Self.outboxEntry(db, id: entry.id)
        }
    }

    public func finishSending(_ entry: OutboxEntry, for user: User, at instant: UTCDateTime, receipt: MailReceipt, record: MailRecord) throws {
        try write { db in
            try db.cachedStatement(sql: """
                UPDATE outbox SET state = ?, last_code = ?, last_reply = ?, updated_at = ?, sent_at = ?, next_attempt_at = NULL
                WHERE id = ?
                """).execute(arguments: [OutboxState.sent.rawValue, receipt.replyCode, receipt.replyText.map { printable($0, limit: 500) },
                                         instant, instant, entry.id])
            if record.stampsActivationSentAt {
                try db.cachedStatement(sql: "UPDATE users SET activation_sent_at = ? WHERE id = ?").execute(arguments: [instant, user.id])
            }
            try audit(db, record.action, user, .ok, AuditDetail.mailed(to: receipt.destination), at: instant)
        }
    }

    public func failSending(_ entry: OutboxEntry, for user: User, at instant: UTCDateTime, failure: MailFailure,
                            state: OutboxState, nextAttemptAt due: UTCDateTime?, record: MailRecord) throws {
        try write { db in
            try db.cachedStatement(sql: """
                UPDATE outbox SET state = ?, last_code = ?, last_reply = ?, updated_at = ?, next_attempt_at = ? WHERE id = ?
                """).execute(arguments: [state.rawValue, failure.replyCode, printable(failure.error.message, limit: 500),
                                 instant, due, entry.id])
            try audit(db, record.action, user, .failed, AuditDetail.mailFailed(failure), at: instant)
        }
    }

    public func abandonMail(_ entry: OutboxEntry, at instant: UTCDateTime, reason: String) throws {
        try write { db in
            try db.execute(sql: "UPDATE outbox SET state = ?, last_reply = ?, updated_at = ?, next_attempt_at = NULL WHERE id = ?",
                           arguments: [OutboxState.failedPermanent.rawValue, reason, instant, entry.id])
        }
    }

    public func deferMail(_ ids: [Int64], until: UTCDateTime) throws {
        guard !ids.isEmpty else { return }
        try write(manyStatements: true) { db in
            let statement = try db.makeStatement(sql: "UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND state = ?")
            for id in ids {
                try statement.execute(arguments: [until, id, OutboxState.queued.rawValue])
            }
        }
    }

    public func mailNotYetDue(at instant: UTCDateTime) throws -> (count: Int, next: UTCDateTime?) {
        try read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*) AS waiting, min(next_attempt_at) AS next FROM outbox
                WHERE state IN (?, ?) AND next_attempt_at > ?
                """, arguments: [OutboxState.queued.rawValue, OutboxState.failedTemporary.rawValue, instant])
            guard let row else { return (0, nil) }
            return (try row.field("waiting", table: "outbox"), try row.date("next", table: "outbox"))
        }
    }

    public func pendingMail(_ kind: MailKind, for user: User, inFlightSince: UTCDateTime) throws -> OutboxEntry? {
        try read { db in
            try Row.fetchOne(db, sql: """
                SELECT outbox.*, users.user_id FROM outbox LEFT JOIN users ON users.id = outbox.account_id
                WHERE account_id = ? AND kind = ? AND recipient = ? COLLATE NOCASE AND (state IN (?, ?) OR (state = ? AND updated_at >= ?))
                ORDER BY outbox.id DESC LIMIT 1
                """, arguments: [user.id, kind.rawValue, user.email, OutboxState.queued.rawValue, OutboxState.failedTemporary.rawValue,
                                 OutboxState.sending.rawValue, inFlightSince]).map(OutboxEntry.init(row:))
        }
    }

    public func dueMail(at instant: UTCDateTime, includingNotYetDue: Bool) throws -> [OutboxEntry] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT outbox.*, users.user_id FROM outbox LEFT JOIN users ON users.id = outbox.account_id
                WHERE state IN (?, ?) AND (? OR next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY outbox.id
                """, arguments: [OutboxState.queued.rawValue, OutboxState.failedTemporary.rawValue,
                                 includingNotYetDue, instant]).map(OutboxEntry.init(row:))
        }
    }

    public func forEachOutboxEntry(state: OutboxState?, limit: Int?, _ body: (OutboxEntry) throws -> Void) throws {
        let base = """
            SELECT outbox.*, users.user_id FROM outbox LEFT JOIN users ON users.id = outbox.account_id
            WHERE ? IS NULL OR state = ?
            """
        // With a limit, the newest rows, still shown oldest first.
        let sql = limit.map { "SELECT * FROM (\(base) ORDER BY outbox.id DESC LIMIT \(max(0, $0))) ORDER BY id" }
            ?? "\(base) ORDER BY outbox.id"
        try read { db in
            let rows = try Row.fetchCursor(db, sql: sql, arguments: [state?.rawValue, state?.rawValue])
            while let row = try rows.next() {
                try body(try OutboxEntry(row: row))
            }
        }
    }

    // MARK: - SQL helpers

    static func enqueue(_ db: Database, _ kind: MailKind, for user: User, at instant: UTCDateTime) throws -> OutboxEntry {
        try db.cachedStatement(sql: """
            INSERT INTO outbox (account_id, kind, recipient, state, attempts, created_at, updated_at, next_attempt_at)
            VALUES (?, ?, ?, ?, 0, ?, ?, ?)
            """).execute(arguments: [user.id, kind.rawValue, user.email, OutboxState.queued.rawValue, instant, instant, instant])
        return OutboxEntry(id: db.lastInsertedRowID, accountID: user.id, kind: kind, userID: user.userID, recipient: user.email, state: .queued,
                           attempts: 0, lastCode: nil, lastReply: nil, createdAt: instant, updatedAt: instant,
                           nextAttemptAt: instant, sentAt: nil)
    }

    /// The account's mail of `kind` to its current address that is queued or waiting for a
    /// retry, if any (one to an address it had before is abandoned when its turn comes).
    static func waitingMail(_ db: Database, _ kind: MailKind, for user: User) throws -> OutboxEntry? {
        try Row.fetchOne(db, sql: """
            SELECT outbox.*, users.user_id FROM outbox LEFT JOIN users ON users.id = outbox.account_id
            WHERE account_id = ? AND kind = ? AND recipient = ? COLLATE NOCASE AND state IN (?, ?) ORDER BY outbox.id DESC LIMIT 1
            """, arguments: [user.id, kind.rawValue, user.email, OutboxState.queued.rawValue, OutboxState.failedTemporary.rawValue]).map(OutboxEntry.init(row:))
    }

    /// Whether a mail of `kind` to the account was taken for sending at or after `since` (an
    /// older one was interrupted, see `OutboxEntry.interruptedAfter`).
    static func hasMailInFlight(_ db: Database, _ kind: MailKind, for user: User, since: UTCDateTime) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM outbox WHERE account_id = ? AND kind = ? AND state = ? AND updated_at >= ?)",
                          arguments: [user.id, kind.rawValue, OutboxState.sending.rawValue, since]) ?? false
    }

    private static func outboxEntry(_ db: Database, id: Int64) throws -> OutboxEntry? {
        try Row.fetchOne(db.cachedStatement(sql: """
            SELECT outbox.*, users.user_id FROM outbox LEFT JOIN users ON users.id = outbox.account_id WHERE outbox.id = ?
            """), arguments: [id]).map(OutboxEntry.init(row:))
    }
}
