/// What `import` checks beyond the shape `TransferReader` checks, before a row reaches a store:
/// every account as `register` and `update` validate one (a user_id and an email that register
/// would take, text without control characters, ids from 1), every audit, archive and outbox row
/// about an account the file (or, with --append, the database) has, no live account on an
/// archived account's id, and id sequences no further than the largest id plus a margin. An
/// export file is the operator's, but it may come from anywhere: a hand-edited or hostile file
/// must not plant what the tool itself would never write.
public struct TransferValidator {
    /// How far past the largest id of its table a sequence may be: rolled-back inserts leave
    /// gaps on PostgreSQL, but not this many (one sequence at 2^63-1 stops registration for good).
    public static func sequenceLimit(largestID: Int64) -> Int64 {
        largestID + max(1_000_000, largestID)
    }

    private var userIDs: Set<Int64> = []
    private var archivedIDs: Set<Int64> = []
    /// Archived ids whose copy was not restored: no live account may have them.
    private var unrestoredArchivedIDs: Set<Int64> = []
    private var referenced: [Int64: String] = [:]
    private var largest = TransferSequences(users: 0, purgedUsers: 0, auditLog: 0, outbox: 0)
    private var sequences: TransferSequences?

    public init() {}

    /// Checks one record, in the order the file gives them.
    public mutating func check(_ record: TransferRecord) throws {
        switch record {
        case .user(let user):
            try Self.checkAccount(user, row: record)
            userIDs.insert(user.id)
            largest.users = max(largest.users, user.id)
        case .purgedUser(let purged):
            try Self.checkAccount(purged.user, row: record)
            try Self.positive(purged.archiveID, "archive_id", record)
            archivedIDs.insert(purged.user.id)
            if purged.restoredAt == nil { unrestoredArchivedIDs.insert(purged.user.id) }
            largest.users = max(largest.users, purged.user.id)
            largest.purgedUsers = max(largest.purgedUsers, purged.archiveID)
            if let audit = purged.auditID { try Self.positive(audit, "audit_id", record) }
        case .audit(let entry):
            try Self.positive(entry.id, "id", record)
            if let account = entry.accountID {
                try Self.positive(account, "account_id", record)
                referenced[account] = referenced[account] ?? "audit_log row \(record.identity)"
            }
            try Self.text(entry.osUser, "os_user", record, limit: 300)
            if let userID = entry.userID { try Self.text(userID, "user_id", record, limit: UserID.maximumLength) }
            try Self.text(entry.detail, "detail", record, limit: 2000)
            largest.auditLog = max(largest.auditLog, entry.id)
        case .outbox(let entry):
            try Self.positive(entry.id, "id", record)
            try Self.positive(entry.accountID, "account_id", record)
            referenced[entry.accountID] = referenced[entry.accountID] ?? "outbox row \(record.identity)"
            do { _ = try EmailAddress.normalize(entry.recipient) } catch let error as AccountsError {
                throw Self.refused(record, "recipient", error.message)
            }
            guard entry.attempts >= 0 else { throw Self.refused(record, "attempts", "below 0") }
            guard Flows.mailKinds.contains(entry.kind) else {
                throw Self.refused(record, "kind", "'\(printable(entry.kind.rawValue))', not a kind of mail this version sends ("
                                   + Flows.mailKinds.map(\.rawValue).joined(separator: ", ") + ")")
            }
            if let reply = entry.lastReply { try Self.text(reply, "last_reply", record, limit: 1000) }
            largest.outbox = max(largest.outbox, entry.id)
        case .sequences(let last):
            sequences = last
        }
    }

    /// After the last record: what only the whole file can tell. `knownAccount`: whether the
    /// database already has an account (or archived account) with this id (--append).
    public func finish(knownAccount: (Int64) throws -> Bool) throws {
        for id in userIDs where unrestoredArchivedIDs.contains(id) {
            throw AccountsError(.badData, "users row id \(id) has the id of an archived account that was not restored; ids are never reused")
        }
        for (id, row) in referenced.sorted(by: { $0.key < $1.key }) where !userIDs.contains(id) && !archivedIDs.contains(id) {
            guard try knownAccount(id) else {
                throw AccountsError(.badData, "\(row) is about account \(id), which is neither in users nor in purged_users")
            }
        }
        guard let sequences else { return }
        for (table, value, largestID) in [("users", sequences.users, largest.users), ("purged_users", sequences.purgedUsers, largest.purgedUsers),
                                          ("audit_log", sequences.auditLog, largest.auditLog), ("outbox", sequences.outbox, largest.outbox)] {
            guard value >= 0, value <= Self.sequenceLimit(largestID: largestID) else {
                throw AccountsError(.badData, "sequences: \(table) is at \(value), beyond what its largest id (\(largestID)) explains (at most \(Self.sequenceLimit(largestID: largestID)))")
            }
        }
    }

    /// As `register` and `update` take an account: user_id and email valid as they are (register
    /// would store them so), level and department as register's fields, a hash without control
    /// characters, a positive id.
    private static func checkAccount(_ user: User, row: TransferRecord) throws {
        try positive(user.id, "id", row)
        func check(_ key: String, _ body: () throws -> Void) throws {
            do { try body() } catch let error as AccountsError { throw refused(row, key, error.message) }
        }
        try check("user_id") {
            guard try UserID.normalize(user.userID) == user.userID else {
                throw AccountsError(.badData, "'\(printable(user.userID))' is not in the normalized form register stores (NFKC)")
            }
        }
        try check("email") { _ = try EmailAddress.normalize(user.email) }
        try check("level") { _ = try RegisterWorkflow.field("level", user.level) }
        try check("department") { _ = try RegisterWorkflow.field("department", user.department) }
        try text(user.password, "password", row, limit: 128)
    }

    private static func positive(_ value: Int64, _ key: String, _ row: TransferRecord) throws {
        guard value >= 1 else { throw refused(row, key, "\(value); ids start at 1") }
    }

    /// No control characters, line or paragraph separators or bidirectional overrides: what
    /// `printable` would have to escape has no place in a row the tool writes.
    private static func text(_ value: String, _ key: String, _ row: TransferRecord, limit: Int) throws {
        guard printable(value, limit: Int.max) == value else {
            throw refused(row, key, "'\(printable(value))', which holds control characters")
        }
        guard value.unicodeScalars.count <= limit else { throw refused(row, key, "longer than \(limit) characters") }
    }

    private static func refused(_ row: TransferRecord, _ key: String, _ why: String) -> AccountsError {
        AccountsError(.badData, "\(row.table) row \(row.identity): \(key) \(why)")
    }
}
