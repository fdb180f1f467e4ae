import GRDB

/// The users half of the SQLite store: registration, look-ups, the activation-mail claim,
/// activation, and the activation rules in SQL.
extension SQLiteStore {
    public func insert(_ new: NewUser) throws -> User {
        try write { db in try insertRow(db, new) }
    }

    public func users(withUserIDs userIDs: [String], orEmails emails: [String]) throws -> [User] {
        try read { db in
            var found: [Int64: User] = [:]
            for (column, values) in [("user_id", userIDs), ("email COLLATE NOCASE", emails)] {
                // In chunks: SQLite limits the number of parameters in one statement.
                for start in stride(from: 0, to: values.count, by: 500) {
                    let chunk = Array(values[start..<min(start + 500, values.count)])
                    let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                    for row in try Row.fetchAll(db, sql: "SELECT * FROM users WHERE \(column) IN (\(marks))", arguments: StatementArguments(chunk)) {
                        let user = try User(row: row)
                        found[user.id] = user
                    }
                }
            }
            return found.values.sorted { $0.id < $1.id }
        }
    }

    public func registerAll(_ users: (_ insert: (NewUser) throws -> Void) throws -> Void,
                            mailing existing: [Int64], ifStill eligible: (User) -> Bool,
                            queueMail: Bool, at instant: UTCDateTime) throws -> (created: Int, mails: [Int64]) {
        try write(manyStatements: true) { db in
            var created = 0
            var mails: [Int64] = []
            try users { new in
                let user = try insertRow(db, new)
                created += 1
                if queueMail { mails.append(try Self.enqueue(db, .activation, for: user, at: instant).id) }
            }
            for id in existing {
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM users WHERE id = ?", arguments: [id]) else { continue }
                let user = try User(row: row)
                guard eligible(user) else { continue }
                if let waiting = try Self.waitingMail(db, .activation, for: user) {
                    mails.append(waiting.id)
                } else if try !Self.hasMailInFlight(db, .activation, for: user, since: instant.adding(seconds: -OutboxEntry.interruptedAfter)) {
                    mails.append(try Self.enqueue(db, .activation, for: user, at: instant).id)
                }
            }
            return (created, mails)
        }
    }

    /// Inserts one inactive user and its audit entry, inside the caller's write transaction.
    private func insertRow(_ db: Database, _ new: NewUser) throws -> User {
        // Name the conflict precisely; the unique indexes still guard against a racing process.
        // (Cached statements: a bulk registration runs these once a row.)
        let existing = try db.cachedStatement(sql: "SELECT user_id, email FROM users WHERE user_id = ? OR email = ? COLLATE NOCASE LIMIT 1")
        if let row = try Row.fetchOne(existing, arguments: [new.userID, new.email]) {
            throw AccountsError.taken(userID: new.userID, email: new.email, by: try row.field("user_id", table: "users"))
        }
        do {
            try db.cachedStatement(sql: """
                INSERT INTO users (user_id, email, password, is_active, level, department, date_joined)
                VALUES (?, ?, ?, 0, ?, ?, ?)
                """).execute(arguments: [new.userID, new.email, new.password, new.level, new.department, new.dateJoined])
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw AccountsError.takenMeanwhile(userID: new.userID, email: new.email)
        }
        let user = User(id: db.lastInsertedRowID, userID: new.userID, email: new.email, password: new.password,
                        level: new.level, department: new.department, dateJoined: new.dateJoined)
        try audit(db, .register, user, .ok, AuditDetail.registered(email: new.email), at: new.dateJoined)
        return user
    }

    public func user(id: Int64) throws -> User? {
        try readOneStatement { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM users WHERE id = ?"), arguments: [id]).map(User.init(row:))
        }
    }

    public func claimActivationMail(id: Int64, ifStill eligible: (User) -> Bool, at instant: UTCDateTime,
                                    notSentSince notBefore: UTCDateTime?, request: LinkRequestRecord?) throws -> MailClaim {
        try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM users WHERE id = ?", arguments: [id]) else {
                throw AccountsError(.noSuchUser, "no account with id \(id)")
            }
            let user = try User(row: row)
            guard eligible(user) else { return .refused(user) }
            if let notBefore, try Bool.fetchOne(db, sql: "SELECT \(Self.coolingDown)", arguments: [id, notBefore]) == true {
                return .refused(user)
            }
            if let request {
                let asked = try Int.fetchOne(db, sql: "SELECT count(*) FROM audit_log WHERE account_id = ? AND action = ?",
                                             arguments: [id, AuditAction.requestActivation.rawValue]) ?? 0
                guard asked < request.limit else { return .overLimit(user) }
                try audit(db, .requestActivation, user, .ok, request.detail, at: instant)
            }
            try db.execute(sql: "UPDATE users SET activation_sent_at = ? WHERE id = ?", arguments: [instant, id])
            return .claimed(previous: user.activationSentAt, mail: try Self.enqueue(db, .activation, for: user, at: instant))
        }
    }

    public func releaseActivationMail(id: Int64, claimedAt instant: UTCDateTime, previous: UTCDateTime?) throws {
        try write { db in
            try db.execute(sql: "UPDATE users SET activation_sent_at = ? WHERE id = ? AND activation_sent_at = ?",
                           arguments: [previous, id, instant])
        }
    }

    public func activate(_ user: User, at instant: UTCDateTime, detail: String) throws -> Bool {
        try write { db in
            // The token covers password, email and last_login; never-activated is re-checked here,
            // in the same statement, so that nothing that changed since the check can slip through.
            try db.execute(sql: """
                UPDATE users SET is_active = 1, last_login = ?, activated_at = ?
                WHERE id = ? AND \(Self.neverActivated) AND password = ? AND email = ?
                """, arguments: [instant, instant, user.id, user.password, user.email])
            guard db.changesCount == 1 else { return false }
            try audit(db, .activate, user, .ok, detail, at: instant)
            return true
        }
    }

    public func forEachUser(state: AccountState?, expiryCutoff: UTCDateTime, limit: Int?, _ body: (User) throws -> Void) throws {
        let (condition, arguments) = Self.condition(for: state, cutoff: expiryCutoff)
        var sql = "SELECT * FROM users WHERE \(condition) ORDER BY id"
        if let limit { sql += " LIMIT \(max(0, limit))" }
        try read { db in
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            var columns: UserColumns?
            while let row = try rows.next() {
                if columns == nil { columns = try UserColumns(row) }
                try body(try columns!.user(row))
            }
        }
    }

    /// `ActivationWindow.isNeverActivated` in SQL: the one translation every statement uses. The
    /// partial index `users_never_activated` (Schema) serves exactly this predicate.
    static let neverActivated = "is_active = 0 AND last_login IS NULL AND activated_at IS NULL"

    /// The cooldown of account ?1 since ?2: an activation mail went to its address now in the
    /// window. It protects a recipient, so a mail to the address the account had before (an email
    /// just corrected) does not count; activation_sent_at alone decides when no outbox row says
    /// where the window's mail went (another program mailed it).
    static let coolingDown = """
        EXISTS (SELECT 1 FROM users u WHERE u.id = ?1 AND u.activation_sent_at >= ?2
                AND (NOT EXISTS (SELECT 1 FROM outbox o WHERE o.account_id = u.id AND o.kind = \(MailKind.activation.sql) AND o.updated_at >= ?2)
                     OR EXISTS (SELECT 1 FROM outbox o WHERE o.account_id = u.id AND o.kind = \(MailKind.activation.sql) AND o.updated_at >= ?2
                                AND o.recipient = u.email COLLATE NOCASE)))
        """

    /// The WHERE clause for a state (`ActivationWindow.state`).
    static func condition(for state: AccountState?, cutoff: UTCDateTime) -> (String, StatementArguments) {
        let windowStart = "coalesce(activation_sent_at, date_joined)"
        switch state {
        case nil: return ("1", [])
        case .active: return ("is_active = 1", [])
        case .pending: return ("\(neverActivated) AND \(windowStart) >= ?", [cutoff])
        case .expired: return ("\(neverActivated) AND \(windowStart) < ?", [cutoff])
        case .inactive: return ("is_active = 0 AND NOT (\(neverActivated))", [])
        }
    }
}
