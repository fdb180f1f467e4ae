/// One row of a bulk registration file, with the line it starts on.
public struct BulkRow: Sendable {
    public var line: Int
    public var userID: String
    public var email: String
    public var level: String?
    public var department: String?

    public init(line: Int, userID: String, email: String, level: String?, department: String?) {
        self.line = line
        self.userID = userID
        self.email = email
        self.level = level
        self.department = department
    }
}

/// A row that cannot be registered, and why.
public struct BulkProblem: Sendable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public var description: String { "line \(line): \(message)" }
}

/// `register --from-csv`: every row is checked before anything is written; the new accounts go
/// in with one transaction, their mails queued in the outbox in the same one. Running the same
/// file again registers nothing twice and queues mail only for accounts never mailed.
public struct BulkRegistrationWorkflow {
    let store: AccountStore

    public init(store: AccountStore) {
        self.store = store
    }

    public struct Plan: Sendable {
        /// Accounts to create.
        public var new: [NewUser] = []
        /// Rows whose account is already there with the same email (an earlier run of this file).
        public var existing: [User] = []
        public var problems: [BulkProblem] = []
    }

    /// Checks every row: the rules of `register`, duplicates within the file, and conflicts with
    /// accounts already in the database. Level and department default as for `register`.
    public func plan(_ rows: [BulkRow], defaultLevel: String?, defaultDepartment: String?, at instant: UTCDateTime) throws -> Plan {
        var plan = Plan()
        var valid: [(BulkRow, NewUser)] = []
        var seenUserIDs: [String: Int] = [:]
        var seenEmails: [String: Int] = [:]
        for row in rows {
            do {
                let userID = try UserID.normalize(row.userID)
                let email = try EmailAddress.normalize(row.email)
                let level = try RegisterWorkflow.field("level", row.level ?? defaultLevel)
                let department = try RegisterWorkflow.field("department", row.department ?? defaultDepartment)
                if let first = seenUserIDs[userID] {
                    throw AccountsError(.badData, "user_id '\(userID)' is already on line \(first)")
                }
                if let first = seenEmails[email.lowercased()] {
                    throw AccountsError(.badData, "email '\(email)' is already on line \(first)")
                }
                seenUserIDs[userID] = row.line
                seenEmails[email.lowercased()] = row.line
                valid.append((row, NewUser(userID: userID, email: email, password: PasswordHasher.unusable(),
                                           level: level, department: department, dateJoined: instant)))
            } catch let error as AccountsError {
                plan.problems.append(BulkProblem(line: row.line, message: error.message))
            }
        }
        let existing = try store.users(withUserIDs: valid.map(\.1.userID), orEmails: valid.map(\.1.email))
        let byUserID = Dictionary(existing.map { ($0.userID, $0) }, uniquingKeysWith: { first, _ in first })
        let byEmail = Dictionary(existing.map { ($0.email.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        for (row, new) in valid {
            if let user = byUserID[new.userID] {
                if user.email.lowercased() == new.email.lowercased() {
                    plan.existing.append(user)
                } else {
                    plan.problems.append(BulkProblem(line: row.line, message: "user_id '\(new.userID)' is already registered with another email (\(user.email))"))
                }
            } else if let user = byEmail[new.email.lowercased()] {
                plan.problems.append(BulkProblem(line: row.line, message: "email '\(new.email)' is already registered (to user_id '\(user.userID)')"))
            } else {
                plan.new.append(new)
            }
        }
        plan.problems.sort { $0.line < $1.line }
        return plan
    }

    /// Creates the new accounts and queues the mails in one transaction; returns the accounts
    /// created and the mails to send (for new accounts, and for earlier ones never mailed).
    public func register(_ plan: Plan, mail: Bool, at instant: UTCDateTime) throws -> (created: [User], mails: [(OutboxEntry, User)]) {
        try store.registerAll(plan.new, mailing: mail ? plan.existing : [], queueMail: mail, at: instant)
    }
}
