/// One line of `accounts export` (JSON Lines): a row of one of the four tables, exactly as stored
/// (ids, microseconds, the audit log's own words), or, last, how far each id sequence has gone.
/// The tables come in the order their rows can be inserted in: users, audit_log, purged_users
/// (which points at audit_log), outbox.
/// The same bytes come out of either store for the same rows, so a move can be checked with cmp.
public enum TransferRecord: Equatable, Sendable {
    case user(User)
    case purgedUser(PurgedUser)
    case audit(AuditEntry)
    case outbox(OutboxEntry)
    case sequences(TransferSequences)

    /// The first line of every export.
    public static let header: [UInt8] = Array("{\"accounts_export\":1}\n".utf8)

    public var table: String {
        switch self {
        case .user: "users"
        case .purgedUser: "purged_users"
        case .audit: "audit_log"
        case .outbox: "outbox"
        case .sequences: "sequences"
        }
    }

    /// How messages name the row.
    public var identity: String {
        switch self {
        case .user(let user): "id \(user.id) ('\(printable(user.userID))')"
        case .purgedUser(let purged): "archive_id \(purged.archiveID)"
        case .audit(let entry): "id \(entry.id)"
        case .outbox(let entry): "id \(entry.id)"
        case .sequences: ""
        }
    }

    /// The record as one JSON line, keys in a fixed order.
    public func appendLine(to buffer: inout [UInt8]) {
        var fields: [(String, JSONWriter.Value)] = [("table", .string(table))]
        switch self {
        case .user(let user):
            fields += Self.fields(of: user)
        case .purgedUser(let purged):
            fields.append(("archive_id", .int(purged.archiveID)))
            fields += Self.fields(of: purged.user)
            fields += [("purged_at", Self.date(purged.purgedAt)), ("audit_id", purged.auditID.map(JSONWriter.Value.int) ?? .null),
                       ("restored_at", Self.date(purged.restoredAt))]
        case .audit(let entry):
            fields += [("id", .int(entry.id)), ("at", Self.date(entry.at)), ("os_user", .string(entry.osUser)),
                       ("action", .string(entry.action.rawValue)), ("account_id", entry.accountID.map(JSONWriter.Value.int) ?? .null),
                       ("user_id", entry.userID.map(JSONWriter.Value.string) ?? .null), ("outcome", .string(entry.outcome.rawValue)),
                       ("detail", .string(entry.detail))]
        case .outbox(let entry):
            fields += [("id", .int(entry.id)), ("account_id", .int(entry.accountID)), ("recipient", .string(entry.recipient)),
                       ("state", .string(entry.state.rawValue)), ("attempts", .int(Int64(entry.attempts))),
                       ("last_code", entry.lastCode.map { .int(Int64($0)) } ?? .null),
                       ("last_reply", entry.lastReply.map(JSONWriter.Value.string) ?? .null),
                       ("created_at", Self.date(entry.createdAt)), ("updated_at", Self.date(entry.updatedAt)),
                       ("next_attempt_at", Self.date(entry.nextAttemptAt)), ("sent_at", Self.date(entry.sentAt)),
                       ("kind", .string(entry.kind.rawValue))]
        case .sequences(let sequences):
            fields += [("users", .int(sequences.users)), ("purged_users", .int(sequences.purgedUsers)),
                       ("audit_log", .int(sequences.auditLog)), ("outbox", .int(sequences.outbox))]
        }
        JSONWriter.appendObject(fields, to: &buffer)
        buffer.append(UInt8(ascii: "\n"))
    }

    private static func fields(of user: User) -> [(String, JSONWriter.Value)] {
        [("id", .int(user.id)), ("user_id", .string(user.userID)), ("email", .string(user.email)), ("password", .string(user.password)),
         ("is_active", .bool(user.isActive)), ("level", user.level.map(JSONWriter.Value.string) ?? .null),
         ("department", user.department.map(JSONWriter.Value.string) ?? .null), ("date_joined", date(user.dateJoined)),
         ("last_login", date(user.lastLogin)), ("activation_sent_at", date(user.activationSentAt)), ("activated_at", date(user.activatedAt))]
    }

    private static func date(_ instant: UTCDateTime?) -> JSONWriter.Value {
        instant.map { .string($0.iso8601) } ?? .null
    }
}

/// A row of purged_users: the account as it was, and when (and by which purge batch) it went.
public struct PurgedUser: Equatable, Sendable {
    public var archiveID: Int64
    public var user: User
    public var purgedAt: UTCDateTime
    public var auditID: Int64?
    public var restoredAt: UTCDateTime?

    public init(archiveID: Int64, user: User, purgedAt: UTCDateTime, auditID: Int64?, restoredAt: UTCDateTime?) {
        self.archiveID = archiveID
        self.user = user
        self.purgedAt = purgedAt
        self.auditID = auditID
        self.restoredAt = restoredAt
    }

    /// Another process restored the copy between its look-up and the restore.
    static func restoredMeanwhile(archiveID: Int64) -> AccountsError {
        AccountsError(.temporary, "the archived account (archive row \(archiveID)) was restored by another process meanwhile; nothing was changed")
    }

    /// A live account has the archived one's user_id or email now (ignoring case): refused by
    /// every store alike.
    static func cannotRestore(_ user: User, takenBy owner: String) -> AccountsError {
        AccountsError(.badData, "cannot restore '\(printable(user.userID))': account '\(printable(owner))' now has its user_id or email")
    }
}

/// The last id each table's sequence handed out (0: none yet). Carried over, so that a moved
/// database never hands out an id again, even one whose row is gone.
public struct TransferSequences: Equatable, Sendable {
    public var users: Int64
    public var purgedUsers: Int64
    public var auditLog: Int64
    public var outbox: Int64

    public init(users: Int64, purgedUsers: Int64, auditLog: Int64, outbox: Int64) {
        self.users = users
        self.purgedUsers = purgedUsers
        self.auditLog = auditLog
        self.outbox = outbox
    }
}

/// How many rows an import loaded, by table.
public struct TransferCounts: Equatable, Sendable {
    public var users = 0
    public var purgedUsers = 0
    public var auditLog = 0
    public var outbox = 0

    public init() {}

    public var total: Int { users + purgedUsers + auditLog + outbox }

    mutating func count(_ record: TransferRecord) {
        switch record {
        case .user: users += 1
        case .purgedUser: purgedUsers += 1
        case .audit: auditLog += 1
        case .outbox: outbox += 1
        case .sequences: break
        }
    }
}

extension AccountsError {
    /// An import without `append` into a database that holds rows: refused by every store alike.
    static func importTargetNotEmpty(_ database: String, table: String) -> AccountsError {
        AccountsError(.cannotCreate, "database \(database) is not empty (\(table) has rows)", hint: .importIntoEmptyOrAppend)
    }
}
