/// The outbox half of the PostgreSQL store (docs/outbox.md). Workers on several hosts take rows
/// with FOR UPDATE SKIP LOCKED: no row is taken twice, and no worker waits for another's.
extension PostgresStore {
    private static let waitingStates = "(\(OutboxState.queued.sql), \(OutboxState.failedTemporary.sql))"

    public func enqueueMail(_ kind: MailKind, for user: User, at instant: UTCDateTime) throws -> OutboxEntry {
        try connected { connection in try enqueue(connection, kind, for: user, at: instant) }
    }

    public func outboxEntry(id: Int64) throws -> OutboxEntry? {
        try connected { connection in
            let result = try connection.query("SELECT \(PGRecords.outboxColumns) FROM \(PGRecords.outboxJoin) WHERE o.id = $1",
                                              [.int8(id)], table: "outbox")
            return result.count == 0 ? nil : try PGRecords.outboxEntry(result.row(0))
        }
    }

    public func claimPendingMails(notSentSince: UTCDateTime?, at instant: UTCDateTime) throws -> [PendingMailClaim] {
        try write { connection in
            // Accounts another run is claiming right now are skipped, not waited for: it mails them.
            let found = try connection.query("""
                SELECT \(PGRecords.userColumns) FROM users WHERE \(Self.neverActivated)
                  AND ($1::timestamptz IS NULL OR NOT \(Self.coolingDown("users.id", since: "$1::timestamptz")))
                  AND NOT EXISTS (SELECT 1 FROM outbox WHERE account_id = users.id AND kind = \(MailKind.activation.sql)
                                  AND state = \(OutboxState.sending.sql) AND updated_at >= $2)
                ORDER BY id FOR UPDATE SKIP LOCKED
                """, [notSentSince.pg, .timestamptz(instant.adding(seconds: -OutboxEntry.interruptedAfter))])
            var claims: [PendingMailClaim] = []
            for index in 0..<found.count {
                let user = try PGRecords.user(found.row(index))
                let entry = try waitingMail(connection, .activation, for: user) ?? enqueue(connection, .activation, for: user, at: instant)
                try connection.query("UPDATE users SET activation_sent_at = $1 WHERE id = $2", [.timestamptz(instant), .int8(user.id)])
                claims.append(PendingMailClaim(mailID: entry.id, accountID: user.id, previous: user.activationSentAt))
            }
            return claims
        }
    }

    public func beginSending(_ entry: OutboxEntry, at instant: UTCDateTime) throws -> OutboxEntry? {
        try connected { connection in
            // One statement: a row another worker holds is skipped at once (nil), never waited for.
            let result = try connection.query("""
                WITH taken AS (
                    UPDATE outbox SET state = \(OutboxState.sending.sql), attempts = attempts + 1, updated_at = $1
                    WHERE id = (SELECT id FROM outbox WHERE id = $2 AND state IN \(Self.waitingStates) FOR UPDATE SKIP LOCKED)
                    RETURNING *)
                SELECT \(PGRecords.outboxColumns) FROM taken o LEFT JOIN users u ON u.id = o.account_id
                """, [.timestamptz(instant), .int8(entry.id)], table: "outbox")
            return result.count == 0 ? nil : try PGRecords.outboxEntry(result.row(0))
        }
    }

    public func finishSending(_ entry: OutboxEntry, for user: User, at instant: UTCDateTime, receipt: MailReceipt, record: MailRecord) throws {
        try write { connection in
            try connection.query("""
                UPDATE outbox SET state = \(OutboxState.sent.sql), last_code = $1, last_reply = $2, updated_at = $3, sent_at = $3, next_attempt_at = NULL
                WHERE id = $4
                """, [receipt.replyCode.map { .int8(Int64($0)) } ?? .null(.int8), receipt.replyText.map { printable($0, limit: 500) }.pg,
                      .timestamptz(instant), .int8(entry.id)])
            if record.stampsActivationSentAt {
                try connection.query("UPDATE users SET activation_sent_at = $1 WHERE id = $2", [.timestamptz(instant), .int8(user.id)])
            }
            try audit(connection, record.action, user, .ok, AuditDetail.mailed(to: receipt.destination), at: instant)
        }
    }

    public func failSending(_ entry: OutboxEntry, for user: User, at instant: UTCDateTime, failure: MailFailure,
                            state: OutboxState, nextAttemptAt due: UTCDateTime?, record: MailRecord) throws {
        try write { connection in
            try connection.query("""
                UPDATE outbox SET state = $1, last_code = $2, last_reply = $3, updated_at = $4, next_attempt_at = $5 WHERE id = $6
                """, [.text(state.rawValue), failure.replyCode.map { .int8(Int64($0)) } ?? .null(.int8),
                      .text(printable(failure.error.message, limit: 500)), .timestamptz(instant), due.pg, .int8(entry.id)])
            try audit(connection, record.action, user, .failed, AuditDetail.mailFailed(failure), at: instant)
        }
    }

    public func abandonMail(_ entry: OutboxEntry, at instant: UTCDateTime, reason: String) throws {
        try connected { connection in
            try connection.query("UPDATE outbox SET state = $1, last_reply = $2, updated_at = $3, next_attempt_at = NULL WHERE id = $4",
                                 [.text(OutboxState.failedPermanent.rawValue), .text(reason), .timestamptz(instant), .int8(entry.id)])
        }
    }

    public func deferMail(_ ids: [Int64], until: UTCDateTime) throws {
        guard !ids.isEmpty else { return }
        try connected { connection in
            try connection.query("UPDATE outbox SET next_attempt_at = $1 WHERE id = ANY($2::bigint[]) AND state = \(OutboxState.queued.sql)",
                                 [.timestamptz(until), .int8Array(ids)])
        }
    }

    public func mailNotYetDue(at instant: UTCDateTime) throws -> (count: Int, next: UTCDateTime?) {
        try connected { connection in
            let row = try connection.query("""
                SELECT count(*), min(next_attempt_at) FROM outbox WHERE state IN \(Self.waitingStates) AND next_attempt_at > $1
                """, [.timestamptz(instant)], table: "outbox").row(0)
            return (Int(try row.integer(0) ?? 0), try row.date(1))
        }
    }

    public func pendingMail(_ kind: MailKind, for user: User, inFlightSince: UTCDateTime) throws -> OutboxEntry? {
        try connected { connection in
            let result = try connection.query("""
                SELECT \(PGRecords.outboxColumns) FROM \(PGRecords.outboxJoin)
                WHERE o.account_id = $1 AND o.kind = $4 AND upper(o.recipient) = upper($3)
                  AND (o.state IN \(Self.waitingStates) OR (o.state = \(OutboxState.sending.sql) AND o.updated_at >= $2))
                ORDER BY o.id DESC LIMIT 1
                """, [.int8(user.id), .timestamptz(inFlightSince), .text(user.email), .text(kind.rawValue)], table: "outbox")
            return result.count == 0 ? nil : try PGRecords.outboxEntry(result.row(0))
        }
    }

    public func dueMail(at instant: UTCDateTime, includingNotYetDue: Bool) throws -> [OutboxEntry] {
        try connected { connection in
            var entries: [OutboxEntry] = []
            try connection.stream("""
                SELECT \(PGRecords.outboxColumns) FROM \(PGRecords.outboxJoin)
                WHERE o.state IN \(Self.waitingStates) AND ($1 OR o.next_attempt_at IS NULL OR o.next_attempt_at <= $2) ORDER BY o.id
                """, [.bool(includingNotYetDue), .timestamptz(instant)], table: "outbox") { entries.append(try PGRecords.outboxEntry($0)) }
            return entries
        }
    }

    public func forEachOutboxEntry(state: OutboxState?, limit: Int?, _ body: (OutboxEntry) throws -> Void) throws {
        let base = "SELECT \(PGRecords.outboxColumns) FROM \(PGRecords.outboxJoin) WHERE $1::text IS NULL OR o.state = $1"
        // With a limit, the newest rows, still shown oldest first.
        let sql = limit.map { "SELECT * FROM (\(base) ORDER BY o.id DESC LIMIT \(max(0, $0))) newest ORDER BY id" } ?? "\(base) ORDER BY o.id"
        try connected { connection in
            try connection.stream(sql, [(state?.rawValue).pg], table: "outbox") { try body(try PGRecords.outboxEntry($0)) }
        }
    }

    // MARK: - SQL helpers

    func enqueue(_ connection: PGConnection, _ kind: MailKind, for user: User, at instant: UTCDateTime) throws -> OutboxEntry {
        let result = try connection.query("""
            INSERT INTO outbox (account_id, kind, recipient, state, attempts, created_at, updated_at, next_attempt_at)
            VALUES ($1, $4, $2, \(OutboxState.queued.sql), 0, $3, $3, $3) RETURNING id
            """, [.int8(user.id), .text(user.email), .timestamptz(instant), .text(kind.rawValue)], table: "outbox")
        return OutboxEntry(id: try result.row(0).required(result.row(0).integer(0), "id"), accountID: user.id, kind: kind, userID: user.userID,
                           recipient: user.email, state: .queued, attempts: 0, lastCode: nil, lastReply: nil,
                           createdAt: instant, updatedAt: instant, nextAttemptAt: instant, sentAt: nil)
    }

    /// The account's mail of `kind` to its current address that is queued or waiting for a
    /// retry, if any (one to an address it had before is abandoned when its turn comes).
    func waitingMail(_ connection: PGConnection, _ kind: MailKind, for user: User) throws -> OutboxEntry? {
        let result = try connection.query("""
            SELECT \(PGRecords.outboxColumns) FROM \(PGRecords.outboxJoin)
            WHERE o.account_id = $1 AND o.kind = $3 AND upper(o.recipient) = upper($2) AND o.state IN \(Self.waitingStates)
            ORDER BY o.id DESC LIMIT 1
            """, [.int8(user.id), .text(user.email), .text(kind.rawValue)], table: "outbox")
        return result.count == 0 ? nil : try PGRecords.outboxEntry(result.row(0))
    }

    /// Whether a mail of `kind` to the account was taken for sending at or after `since`.
    func hasMailInFlight(_ connection: PGConnection, _ kind: MailKind, for user: User, since: UTCDateTime) throws -> Bool {
        let result = try connection.query("""
            SELECT EXISTS (SELECT 1 FROM outbox WHERE account_id = $1 AND kind = $3 AND state = \(OutboxState.sending.sql) AND updated_at >= $2)
            """, [.int8(user.id), .timestamptz(since), .text(kind.rawValue)], table: "outbox")
        return try result.row(0).bool(0) ?? false
    }
}
