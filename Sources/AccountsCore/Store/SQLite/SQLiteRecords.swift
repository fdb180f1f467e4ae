import GRDB

// The rows of the SQLite store as GRDB records, decoded in one place. Every value read from the
// database is data, not a promise: rows may be written by other programs (a Django site, a
// hand-made fix), so a NULL or a value of the wrong type is reported as a damaged row, never
// trusted (GRDB's plain subscripts would stop the process).

/// Datetimes are stored as Django's SQLite backend stores them with USE_TZ = True: UTC text,
/// `YYYY-MM-DD HH:MM:SS.ffffff`.
extension UTCDateTime: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { storageText.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> UTCDateTime? {
        guard case .string(let text) = dbValue.storage else { return nil }
        return UTCDateTime(storageText: text)
    }
}

extension User: FetchableRecord {
    public init(row: Row) throws {
        self = try UserColumns(row).user(row)
    }
}

/// Where each field of a users row is, found once: `list` and `export` read a million rows of one
/// statement, and a look-up by column name for each field of each row was a third of their time.
/// (The positions are looked up, not assumed: a table Django made may order its columns otherwise.)
struct UserColumns {
    private let id, userID, email, password, isActive, level, department, dateJoined, lastLogin, activationSentAt, activatedAt: Int

    init(_ row: Row) throws {
        let names: [String] = Array(row.columnNames).map { $0.lowercased() }
        func index(_ column: String) throws -> Int {
            guard let index = names.firstIndex(of: column) else {
                throw AccountsError(.unavailable, "the users table has no \(column) column")
            }
            return index
        }
        id = try index("id")
        userID = try index("user_id")
        email = try index("email")
        password = try index("password")
        isActive = try index("is_active")
        level = try index("level")
        department = try index("department")
        dateJoined = try index("date_joined")
        lastLogin = try index("last_login")
        activationSentAt = try index("activation_sent_at")
        activatedAt = try index("activated_at")
    }

    func user(_ row: Row) throws -> User {
        let table = "users"
        func text(_ index: Int, _ column: String) throws -> String {
            guard let value = try row.text(at: index, column, table: table) else { throw row.damaged(column, holding: "NULL", table: table) }
            return value
        }
        guard let joined = try row.date(at: dateJoined, "date_joined", table: table) else {
            throw row.damaged("date_joined", holding: "NULL", table: table)
        }
        return User(id: try row.integer(at: id, "id", table: table) ?? 0, userID: try text(userID, "user_id"),
                    email: try text(email, "email"), password: try text(password, "password"),
                    isActive: try row.integer(at: isActive, "is_active", table: table) == 1,
                    level: try row.text(at: level, "level", table: table), department: try row.text(at: department, "department", table: table),
                    dateJoined: joined, lastLogin: try row.date(at: lastLogin, "last_login", table: table),
                    activationSentAt: try row.date(at: activationSentAt, "activation_sent_at", table: table),
                    activatedAt: try row.date(at: activatedAt, "activated_at", table: table))
    }
}

/// An outbox row, with `user_id` joined from users (NULL once the account is gone).
extension OutboxEntry: FetchableRecord {
    public init(row: Row) throws {
        let table = "outbox"
        let stateText: String = try row.field("state", table: table)
        guard let state = OutboxState(rawValue: stateText), let created = try row.date("created_at", table: table),
              let updated = try row.date("updated_at", table: table) else {
            throw AccountsError(.badData, "outbox row \(try row.field("id", table: table) as Int64) is damaged (state '\(printable(stateText))')")
        }
        self.init(id: try row.field("id", table: table), accountID: try row.field("account_id", table: table),
                  kind: MailKind(rawValue: try row.field("kind", table: table)),
                  userID: try row.field("user_id", table: table), recipient: try row.field("recipient", table: table), state: state,
                  attempts: try row.field("attempts", table: table), lastCode: try row.field("last_code", table: table),
                  lastReply: try row.field("last_reply", table: table), createdAt: created, updatedAt: updated,
                  nextAttemptAt: try row.date("next_attempt_at", table: table), sentAt: try row.date("sent_at", table: table))
    }
}

/// An audit_log row; a purge's rows from purged_users carry `window_start`, and their detail is
/// written here (AuditDetail), not stored.
extension AuditEntry: FetchableRecord {
    public init(row: Row) throws {
        let table = "audit_log"
        let actionText: String = try row.field("action", table: table)
        let outcomeText: String = try row.field("outcome", table: table)
        guard let at = try row.date("at", table: table), let action = AuditAction(rawValue: actionText),
              let outcome = AuditOutcome(rawValue: outcomeText) else {
            throw AccountsError(.badData, "audit_log row \(try row.field("id", table: table) as Int64) is damaged: '\(printable(actionText))' '\(printable(outcomeText))'")
        }
        let detail: String = try row.date("window_start", table: table).map(AuditDetail.purgedAccount(windowStart:))
            ?? row.field("detail", table: table)
        self.init(id: try row.field("id", table: table), at: at, osUser: try row.field("os_user", table: table), action: action,
                  accountID: try row.field("account_id", table: table), userID: try row.field("user_id", table: table),
                  outcome: outcome, detail: detail)
    }
}

extension Row {
    /// The value of `column`; `.badData` naming the table, the row and the column otherwise.
    func field<Value: DatabaseValueConvertible>(_ column: String, table: String) throws -> Value {
        do {
            return try decode(Value.self, forColumn: column)
        } catch {
            let found: DatabaseValue = (try? decode(DatabaseValue.self, forColumn: column)) ?? .null
            // The kind of value, not the value: it could be a password hash.
            let kind = switch found.storage {
            case .null: "NULL"
            case .int64, .double: "a number"
            case .string: "text"
            case .blob: "binary data"
            }
            throw damaged(column, holding: kind, table: table)
        }
    }

    /// A datetime column (nil when NULL); text that is not a date is reported, not guessed at.
    func date(_ column: String, table: String) throws -> UTCDateTime? {
        guard let text: String = try field(column, table: table) else { return nil }
        guard let value = UTCDateTime(storageText: text) else {
            throw AccountsError(.badData, "\(table) row \(rowID): \(column) '\(printable(text))' is not a date")
        }
        return value
    }

    // By position, with concrete types (no generic look-ups): the fast path of UserColumns.

    func text(at index: Int, _ column: String, table: String) throws -> String? {
        let value: DatabaseValue = self[index]
        switch value.storage {
        case .null: return nil
        case .string(let text): return text
        case .int64, .double: throw damaged(column, holding: "a number", table: table)
        case .blob: throw damaged(column, holding: "binary data", table: table)
        }
    }

    func integer(at index: Int, _ column: String, table: String) throws -> Int64? {
        let value: DatabaseValue = self[index]
        switch value.storage {
        case .null: return nil
        case .int64(let number): return number
        case .double(let number) where number == number.rounded() && abs(number) < 9e18: return Int64(number)
        case .double: throw damaged(column, holding: "a fraction", table: table)
        case .string: throw damaged(column, holding: "text", table: table)
        case .blob: throw damaged(column, holding: "binary data", table: table)
        }
    }

    func date(at index: Int, _ column: String, table: String) throws -> UTCDateTime? {
        guard let text = try text(at: index, column, table: table) else { return nil }
        guard let value = UTCDateTime(storageText: text) else {
            throw AccountsError(.badData, "\(table) row \(rowID): \(column) '\(printable(text))' is not a date")
        }
        return value
    }

    func damaged(_ column: String, holding kind: String, table: String) -> AccountsError {
        AccountsError(.badData, "\(table) row \(rowID): \(column) holds \(kind), which is not valid there (was the row written by another program?)")
    }

    /// How messages name the row: its id when it has a readable one.
    private var rowID: String {
        (try? decode(Int64?.self, forColumn: "id")).flatMap { $0.map(String.init) } ?? "?"
    }
}
