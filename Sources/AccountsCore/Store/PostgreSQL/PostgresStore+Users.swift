/// The users half of the PostgreSQL store: registration, look-ups, the activation-mail claim,
/// activation, and the activation rules in SQL.
extension PostgresStore {
    /// `ActivationWindow.isNeverActivated` in SQL: the one translation every statement uses. The
    /// partial index `users_never_activated` (PostgresSchema) serves exactly this predicate.
    static let neverActivated = "NOT is_active AND last_login IS NULL AND activated_at IS NULL"
    static let windowStart = "coalesce(activation_sent_at, date_joined)"

    /// The cooldown of account `account` (an SQL expression) since `since`: an activation mail
    /// went to its address now in the window. It protects a recipient, so a mail to the address
    /// the account had before (an email just corrected) does not count; activation_sent_at alone
    /// decides when no outbox row says where the window's mail went (another program mailed it).
    static func coolingDown(_ account: String, since: String) -> String {
        """
        EXISTS (SELECT 1 FROM users u WHERE u.id = \(account) AND u.activation_sent_at >= \(since)
                AND (NOT EXISTS (SELECT 1 FROM outbox o WHERE o.account_id = u.id AND o.kind = \(MailKind.activation.sql)
                                 AND o.updated_at >= \(since))
                     OR EXISTS (SELECT 1 FROM outbox o WHERE o.account_id = u.id AND o.kind = \(MailKind.activation.sql)
                                AND o.updated_at >= \(since)
                                AND upper(o.recipient) = upper(u.email))))
        """
    }

    /// The WHERE clause for a state (`ActivationWindow.state`), its cutoff as $1 when it has one.
    static func condition(for state: AccountState?, cutoff: UTCDateTime) -> (String, [PGParameter]) {
        switch state {
        case nil: ("true", [])
        case .active: ("is_active", [])
        case .pending: ("\(neverActivated) AND \(windowStart) >= $1", [.timestamptz(cutoff)])
        case .expired: ("\(neverActivated) AND \(windowStart) < $1", [.timestamptz(cutoff)])
        case .inactive: ("NOT is_active AND NOT (\(neverActivated))", [])
        }
    }

    /// Rows a bulk registration sends in one statement.
    static let insertChunk = 1000

    public func insert(_ new: NewUser) throws -> User {
        try write { connection in try insertRows(connection, [new], queueMail: false, at: new.dateJoined)[0].user }
    }

    public func users(withUserIDs userIDs: [String], orEmails emails: [String]) throws -> [User] {
        try connected { connection in
            let result = try connection.query("""
                SELECT \(PGRecords.userColumns) FROM users WHERE user_id = ANY($1::text[])
                UNION
                SELECT \(PGRecords.userColumns) FROM users WHERE upper(email) = ANY(ARRAY(SELECT upper(e) FROM unnest($2::text[]) e))
                ORDER BY id
                """, [.textArray(userIDs), .textArray(emails)])
            return try (0..<result.count).map { try PGRecords.user(result.row($0)) }
        }
    }

    public func registerAll(_ users: (_ insert: (NewUser) throws -> Void) throws -> Void,
                            mailing existing: [Int64], ifStill eligible: (User) -> Bool,
                            queueMail: Bool, at instant: UTCDateTime) throws -> (created: Int, mails: [Int64]) {
        try write { connection in
            var created = 0
            var mails: [Int64] = []
            var chunk: [NewUser] = []
            func flush() throws {
                guard !chunk.isEmpty else { return }
                for row in try insertRows(connection, chunk, queueMail: queueMail, at: instant) {
                    if let mail = row.mail { mails.append(mail) }
                }
                created += chunk.count
                chunk.removeAll(keepingCapacity: true)
            }
            try users { new in
                chunk.append(new)
                if chunk.count == Self.insertChunk { try flush() }
            }
            try flush()
            for id in existing {
                // Locked, so that a claim by another process waits for this one.
                let found = try connection.query("SELECT \(PGRecords.userColumns) FROM users WHERE id = $1 FOR UPDATE", [.int8(id)])
                guard found.count == 1 else { continue }
                let user = try PGRecords.user(found.row(0))
                guard eligible(user) else { continue }
                if let waiting = try waitingMail(connection, .activation, for: user) {
                    mails.append(waiting.id)
                } else if try !hasMailInFlight(connection, .activation, for: user, since: instant.adding(seconds: -OutboxEntry.interruptedAfter)) {
                    mails.append(try enqueue(connection, .activation, for: user, at: instant).id)
                }
            }
            return (created, mails)
        }
    }

    /// Inserts inactive users, their audit entries and (with `queueMail`) their mails, in one
    /// statement, inside the caller's transaction; in the order given, with ids in that order.
    private func insertRows(_ connection: PGConnection, _ users: [NewUser], queueMail: Bool,
                            at instant: UTCDateTime) throws -> [(user: User, mail: Int64?)] {
        // Name the conflict precisely; the unique indexes still guard against a racing process.
        if let conflict = try duplicate(connection, among: users) { throw conflict }
        let result: PGResult
        do {
            result = try connection.query("""
                WITH input AS (
                    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[])
                        WITH ORDINALITY AS t(user_id, email, password, level, department, date_joined, detail, n)),
                new AS (
                    INSERT INTO users (user_id, email, password, is_active, level, department, date_joined)
                    SELECT user_id, email, password, false, level, department, date_joined FROM input ORDER BY n
                    RETURNING id, user_id, email),
                logged AS (
                    INSERT INTO audit_log (at, os_user, action, account_id, user_id, outcome, detail)
                    SELECT input.date_joined, $8, 'register', new.id, new.user_id, 'ok', input.detail
                    FROM new JOIN input USING (user_id) ORDER BY new.id),
                mailed AS (
                    INSERT INTO outbox (account_id, kind, recipient, state, attempts, created_at, updated_at, next_attempt_at)
                    SELECT id, \(MailKind.activation.sql), email, \(OutboxState.queued.sql), 0, $9, $9, $9 FROM new WHERE $10 ORDER BY id
                    RETURNING id, account_id)
                SELECT new.id, mailed.id FROM new LEFT JOIN mailed ON mailed.account_id = new.id ORDER BY new.id
                """, [.textArray(users.map(\.userID)), .textArray(users.map(\.email)), .textArray(users.map(\.password)),
                      .textArray(users.map(\.level)), .textArray(users.map(\.department)),
                      .timestamptzArray(users.map(\.dateJoined)), .textArray(users.map { AuditDetail.registered(email: $0.email) }),
                      .text(actor), .timestamptz(instant), .bool(queueMail)])
        } catch let failure as PGFailure where failure.sqlState == "23505" {
            throw Self.duplicate(failure, among: users)
        }
        guard result.count == users.count else {
            throw AccountsError(.unavailable, "database \(description): inserted \(result.count) of \(users.count) accounts")
        }
        return try users.enumerated().map { index, new in
            let row = result.row(index)
            let user = User(id: try row.required(row.integer(0), "id"), userID: new.userID, email: new.email, password: new.password,
                            level: new.level, department: new.department, dateJoined: new.dateJoined)
            return (user, try row.integer(1))
        }
    }

    /// The first of `users` whose user_id or email (ignoring case) is taken, as an error.
    private func duplicate(_ connection: PGConnection, among users: [NewUser]) throws -> AccountsError? {
        let result = try connection.query("""
            SELECT user_id, upper(email) FROM users WHERE user_id = ANY($1::text[])
            UNION
            SELECT user_id, upper(email) FROM users WHERE upper(email) = ANY(ARRAY(SELECT upper(e) FROM unnest($2::text[]) e))
            """, [.textArray(users.map(\.userID)), .textArray(users.map(\.email))])
        guard result.count > 0 else { return nil }
        var byUserID: Set<String> = []
        var byEmail: [String: String] = [:]
        for index in 0..<result.count {
            let row = result.row(index)
            let userID = try row.text(0) ?? ""
            byUserID.insert(userID)
            byEmail[try row.text(1) ?? ""] = userID
        }
        let uppercased = try connection.query("SELECT upper(e) FROM unnest($1::text[]) e", [.textArray(users.map(\.email))])
        for (index, new) in users.enumerated() {
            if byUserID.contains(new.userID) { return AccountsError.taken(userID: new.userID) }
            if let owner = byEmail[try uppercased.row(index).text(0) ?? ""] {
                return AccountsError.taken(userID: new.userID, email: new.email, by: owner)
            }
        }
        return nil
    }

    /// A unique violation from a racing process (or two rows of one batch), named as well as the
    /// server's detail allows: "Key (user_id)=(hong) already exists."
    private static func duplicate(_ failure: PGFailure, among users: [NewUser]) -> AccountsError {
        let detail = failure.detail ?? ""
        if let value = keyValue(detail) {
            if detail.contains("(user_id)"), users.contains(where: { $0.userID == value }) {
                return AccountsError.taken(userID: value)
            }
            if detail.contains("email"), let new = users.first(where: { EmailAddress.same($0.email, value) }) {
                return AccountsError.taken(email: new.email)
            }
        }
        if users.count == 1 {
            return AccountsError.takenMeanwhile(userID: users[0].userID, email: users[0].email)
        }
        return AccountsError(.badData, "an account of this batch was registered by another process meanwhile: \(printable(detail))")
    }

    private static func keyValue(_ detail: String) -> String? {
        guard let start = detail.range(of: ")=("), let end = detail.range(of: ") already exists", options: .backwards),
              start.upperBound <= end.lowerBound else { return nil }
        return String(detail[start.upperBound..<end.lowerBound])
    }

    public func user(id: Int64) throws -> User? {
        try connected { connection in
            let result = try connection.query("SELECT \(PGRecords.userColumns) FROM users WHERE id = $1", [.int8(id)])
            return result.count == 0 ? nil : try PGRecords.user(result.row(0))
        }
    }

    public func claimActivationMail(id: Int64, ifStill eligible: (User) -> Bool, at instant: UTCDateTime,
                                    notSentSince notBefore: UTCDateTime?, request: LinkRequestRecord?) throws -> MailClaim {
        try write { connection in
            // The row lock orders claims of one account, as SQLite's write lock does.
            let found = try connection.query("SELECT \(PGRecords.userColumns) FROM users WHERE id = $1 FOR UPDATE", [.int8(id)])
            guard found.count == 1 else { throw AccountsError(.noSuchUser, "no account with id \(id)") }
            let user = try PGRecords.user(found.row(0))
            guard eligible(user) else { return .refused(user) }
            if let notBefore, try connection.query("SELECT \(Self.coolingDown("$1", since: "$2"))", [.int8(id), .timestamptz(notBefore)]).row(0).bool(0) == true {
                return .refused(user)
            }
            if let request {
                // Under the row lock taken above: two hosts cannot both pass the limit.
                let asked = try connection.query("SELECT count(*) FROM audit_log WHERE account_id = $1 AND action = $2",
                                                 [.int8(id), .text(AuditAction.requestActivation.rawValue)], table: "audit_log")
                guard try asked.row(0).integer(0) ?? 0 < Int64(request.limit) else { return .overLimit(user) }
                try audit(connection, .requestActivation, user, .ok, request.detail, at: instant)
            }
            try connection.query("UPDATE users SET activation_sent_at = $1 WHERE id = $2", [.timestamptz(instant), .int8(id)])
            return .claimed(previous: user.activationSentAt, mail: try enqueue(connection, .activation, for: user, at: instant))
        }
    }

    public func releaseActivationMail(id: Int64, claimedAt instant: UTCDateTime, previous: UTCDateTime?) throws {
        try connected { connection in
            try connection.query("UPDATE users SET activation_sent_at = $1 WHERE id = $2 AND activation_sent_at = $3",
                                 [previous.pg, .int8(id), .timestamptz(instant)])
        }
    }

    public func activate(_ user: User, at instant: UTCDateTime, detail: String) throws -> Bool {
        try write { connection in
            // The token covers password, email and last_login; never-activated is re-checked here,
            // in the same statement, so that nothing that changed since the check can slip through.
            let changed = try connection.query("""
                UPDATE users SET is_active = true, last_login = $1, activated_at = $1
                WHERE id = $2 AND \(Self.neverActivated) AND password = $3 AND email = $4
                """, [.timestamptz(instant), .int8(user.id), .text(user.password), .text(user.email)])
            guard changed.affected == 1 else { return false }
            try audit(connection, .activate, user, .ok, detail, at: instant)
            return true
        }
    }

    public func forEachUser(state: AccountState?, expiryCutoff: UTCDateTime, limit: Int?, _ body: (User) throws -> Void) throws {
        let (condition, parameters) = Self.condition(for: state, cutoff: expiryCutoff)
        var sql = "SELECT \(PGRecords.userColumns) FROM users WHERE \(condition) ORDER BY id"
        if let limit { sql += " LIMIT \(max(0, limit))" }
        try connected { connection in
            try connection.stream(sql, parameters, table: "users") { row in try body(try PGRecords.user(row)) }
        }
    }
}
