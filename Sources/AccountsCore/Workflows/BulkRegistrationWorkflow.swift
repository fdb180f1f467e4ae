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
public struct BulkProblem: Error, Sendable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public var description: String { "line \(line): \(message)" }
}

/// The rows of a registration file, read from the start each time it is called: `body` gets
/// them one at a time, in order.
public typealias BulkRowSource = (_ body: (BulkRow) throws -> Void) throws -> Void

/// `register --from-csv`: every row is checked before anything is written; the new accounts go
/// in with one transaction, their mails queued in the outbox in the same one. Running the same
/// file again registers nothing twice and queues mail only for accounts never mailed.
///
/// The file is read twice, as a stream (`check`, then `register`), so memory does not grow with
/// its rows' text: what is kept per row is a 16-byte fingerprint of its user_id and of its email
/// (for duplicates within the file, in hash tables), a bit saying whether to insert it, and the
/// id of its queued mail — about 125 bytes a row: a million-row file (61 MB) peaks at 150 MB,
/// where reading it whole took 900 MB (README).
public struct BulkRegistrationWorkflow {
    let store: AccountStore
    let defaultLevel: String?
    let defaultDepartment: String?

    /// Level and department default as for `register`.
    public init(store: AccountStore, defaultLevel: String?, defaultDepartment: String?) {
        self.store = store
        self.defaultLevel = defaultLevel
        self.defaultDepartment = defaultDepartment
    }

    /// What `check` found.
    public struct Plan: Sendable {
        public var rows = 0
        /// Accounts to create.
        public var new = 0
        /// Rows whose account is already there with the same email (an earlier run of this file).
        public var existing = 0
        public var invalid = 0
        /// The lines of the rows to insert.
        fileprivate var newLines = LineSet()
        /// Accounts of `existing` rows, to mail if they were never mailed.
        fileprivate var existingIDs: [Int64] = []
    }

    /// The first pass: checks every row against the rules of `register`, against the rows before
    /// it in the file, and against the accounts in the database, telling `problem` about each bad
    /// row in line order. Writes nothing.
    public func check(_ rows: BulkRowSource, at instant: UTCDateTime = .now(), problem: (BulkProblem) -> Void) throws -> Plan {
        // `problem` is only called while `rows` runs, never kept.
        try withoutActuallyEscaping(problem) { problem in try checkRows(rows, at: instant, problem: problem) }
    }

    private func checkRows(_ rows: BulkRowSource, at instant: UTCDateTime, problem: @escaping (BulkProblem) -> Void) throws -> Plan {
        var plan = Plan()
        var seenUserIDs: [Fingerprint: Int] = [:]
        var seenEmails: [Fingerprint: Int] = [:]
        // Rows wait here until their batch is checked against the database, so that problems
        // are still told in line order.
        var batch: [(line: Int, outcome: Result<NewUser, BulkProblem>)] = []

        func flush() throws {
            let candidates = batch.compactMap { try? $0.outcome.get() }
            let existing = try store.users(withUserIDs: candidates.map(\.userID), orEmails: candidates.map(\.email))
            let byUserID = Dictionary(existing.map { ($0.userID, $0) }, uniquingKeysWith: { first, _ in first })
            let byEmail = Dictionary(existing.map { (EmailAddress.key($0.email), $0) }, uniquingKeysWith: { first, _ in first })
            for (line, outcome) in batch {
                switch outcome {
                case .failure(let bad):
                    plan.invalid += 1
                    problem(bad)
                case .success(let new):
                    if let user = byUserID[new.userID] {
                        if EmailAddress.same(user.email, new.email) {
                            plan.existing += 1
                            if Self.wantsFirstMail(user) { plan.existingIDs.append(user.id) }
                        } else {
                            plan.invalid += 1
                            problem(BulkProblem(line: line, message: "user_id '\(new.userID)' is already registered with another email (\(printable(user.email)))"))
                        }
                    } else if let user = byEmail[EmailAddress.key(new.email)] {
                        plan.invalid += 1
                        problem(BulkProblem(line: line, message: AccountsError.taken(userID: new.userID, email: new.email, by: user.userID).message))
                    } else {
                        plan.new += 1
                        plan.newLines.insert(line)
                    }
                }
            }
            batch.removeAll(keepingCapacity: true)
        }

        try rows { row in
            plan.rows += 1
            do {
                let new = try newUser(row, password: "", at: instant)
                if let first = seenUserIDs[Fingerprint(new.userID)] {
                    throw AccountsError(.badData, "user_id '\(new.userID)' is already on line \(first)")
                }
                let email = Fingerprint(EmailAddress.key(new.email))
                if let first = seenEmails[email] {
                    throw AccountsError(.badData, "email '\(new.email)' is already on line \(first)")
                }
                seenUserIDs[Fingerprint(new.userID)] = row.line
                seenEmails[email] = row.line
                batch.append((row.line, .success(new)))
            } catch let error as AccountsError {
                batch.append((row.line, .failure(BulkProblem(line: row.line, message: error.message))))
            }
            if batch.count >= 500 { try flush() }
        }
        try flush()
        return plan
    }

    /// The second pass: creates the accounts `check` found new and queues the mails, in one
    /// transaction. Returns how many were created and the outbox ids of the mails to send (for
    /// the new accounts, and for earlier ones never mailed). Throws, writing nothing, if a row no
    /// longer passes (the file changed, or another process registered one of them meanwhile).
    public func register(_ rows: BulkRowSource, plan: Plan, mail: Bool, at instant: UTCDateTime) throws -> (created: Int, mails: [Int64]) {
        try store.registerAll({ insert in
            // `insert` is only called while `rows` runs, never kept.
            try withoutActuallyEscaping(insert) { insert in
                try rows { row in
                    guard plan.newLines.contains(row.line) else { return }
                    try insert(try newUser(row, password: PasswordHasher.unusable(), at: instant))
                }
            }
        }, mailing: mail ? plan.existingIDs : [], ifStill: Self.wantsFirstMail, queueMail: mail, at: instant)
    }

    /// An account a re-run of the file mails: never activated and never mailed (an earlier run
    /// was interrupted before its mail went out).
    static func wantsFirstMail(_ user: User) -> Bool {
        ActivationWindow.isNeverActivated(user) && user.activationSentAt == nil
    }

    /// The row as `register` would take it.
    private func newUser(_ row: BulkRow, password: String, at instant: UTCDateTime) throws -> NewUser {
        NewUser(userID: try UserID.normalize(row.userID), email: try EmailAddress.normalize(row.email), password: password,
                level: try RegisterWorkflow.field("level", row.level ?? defaultLevel),
                department: try RegisterWorkflow.field("department", row.department ?? defaultDepartment),
                dateJoined: instant)
    }
}

/// 128 bits of SipHash of a text: equal texts always match, different ones practically never
/// (two of a million would collide with odds of about 1 in 10^26), in 16 bytes whatever the
/// text's length.
private struct Fingerprint: Hashable {
    let high: UInt64
    let low: UInt64

    init(_ text: String) {
        var first = Hasher()
        first.combine(0 as UInt8)
        first.combine(text)
        var second = Hasher()
        second.combine(1 as UInt8)
        second.combine(text)
        high = UInt64(bitPattern: Int64(first.finalize()))
        low = UInt64(bitPattern: Int64(second.finalize()))
    }
}

/// A set of line numbers, one bit each.
private struct LineSet: Sendable {
    private var words: [UInt64] = []

    mutating func insert(_ line: Int) {
        let word = line / 64
        if word >= words.count { words.append(contentsOf: repeatElement(0, count: word - words.count + 1)) }
        words[word] |= 1 << UInt64(line % 64)
    }

    func contains(_ line: Int) -> Bool {
        let word = line / 64
        return word < words.count && words[word] & (1 << UInt64(line % 64)) != 0
    }
}
