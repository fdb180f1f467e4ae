import Foundation
import GRDB

/// The SQLite store: one file, WAL, a busy timeout, versioned migrations. Every change it makes
/// to an account is recorded in audit_log inside the same transaction, so neither exists alone.
public final class SQLiteStore: AccountStore, Sendable {
    public let path: String
    /// Who the audit log names for changes made through this store.
    public let actor: String
    private let queue: DatabaseQueue

    /// Opens (and migrates) the database at `path`. With `create` false a missing file is an
    /// error instead of a new empty database, so a typo in --database is not silently "no users".
    public init(path: String, create: Bool, actor: String = OSUser.current()) throws {
        self.path = path
        self.actor = actor
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if isDirectory.boolValue {
            throw AccountsError(.ioError, "database \(path) is a directory, not a file")
        }
        if !exists && !create {
            throw AccountsError(.noInput, "no database at \(path) (create one with 'accounts init', or pass --database or set ACCOUNTS_DATABASE)")
        }
        Self.warnIfExposed(path)
        var configuration = Configuration()
        configuration.journalMode = .wal
        // Other accounts processes (an operator, the nightly purge) may hold the write lock
        // for a moment; wait for it rather than fail.
        configuration.busyMode = .timeout(15)
        configuration.label = "accounts"
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try Schema.migrate(queue)
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    /// The database holds password hashes and outbox rows with live addresses. New files are
    /// 0600 (the process umask; SQLite gives -wal and -shm the database's own mode), but an older
    /// file every user can read, or a directory every user can write (where they could plant a
    /// -wal), is worth a warning. (A group's access is taken as deliberate: a Django site's user
    /// sharing the file needs it.)
    private static func warnIfExposed(_ path: String) {
        FilePermissions.warnIfOthersCanWrite(directory: FilePermissions.directory(of: path), holding: "the database \(path)")
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & 0o004 != 0 {
            Warnings.once("database \(path) can be read by other users (\(FilePermissions.modeText(info.st_mode))), and it holds password hashes; SQLite gives its -wal and -shm files the same mode; run: chmod o-r \(path)")
        }
    }

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
                        let user = try Self.user(from: row)
                        found[user.id] = user
                    }
                }
            }
            return found.values.sorted { $0.id < $1.id }
        }
    }

    public func registerAll(_ users: (_ insert: (NewUser) throws -> Void) throws -> Void, mailing existing: [Int64],
                            queueMail: Bool, at instant: UTCDateTime) throws -> (created: Int, mails: [Int64]) {
        try write(manyStatements: true) { db in
            var created = 0
            var mails: [Int64] = []
            try users { new in
                let user = try insertRow(db, new)
                created += 1
                if queueMail { mails.append(try Self.enqueue(db, for: user, at: instant).id) }
            }
            for id in existing {
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM users WHERE id = ?", arguments: [id]) else { continue }
                let user = try Self.user(from: row)
                guard ActivationWindow.isNeverActivated(user), user.activationSentAt == nil else { continue }
                if let waiting = try Self.waitingMail(db, for: user) {
                    mails.append(waiting.id)
                } else if try !Self.hasMailInFlight(db, for: user, since: instant.adding(seconds: -OutboxEntry.interruptedAfter)) {
                    mails.append(try Self.enqueue(db, for: user, at: instant).id)
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
            throw Self.duplicate(new, existingUserID: try row.field("user_id", table: "users"))
        }
        do {
            try db.cachedStatement(sql: """
                INSERT INTO users (user_id, email, password, is_active, level, department, date_joined)
                VALUES (?, ?, ?, 0, ?, ?, ?)
                """).execute(arguments: [new.userID, new.email, new.password, new.level, new.department, new.dateJoined.storageText])
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw AccountsError(.badData, "user_id '\(new.userID)' or email '\(new.email)' is already registered")
        }
        let user = User(id: db.lastInsertedRowID, userID: new.userID, email: new.email, password: new.password,
                        level: new.level, department: new.department, dateJoined: new.dateJoined)
        try audit(db, .register, user, .ok, "inactive account for \(new.email)", at: new.dateJoined)
        return user
    }

    public func user(id: Int64) throws -> User? {
        try read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM users WHERE id = ?"), arguments: [id]).map(Self.user(from:))
        }
    }

    public func user(matching reference: String) throws -> User? {
        try read { db in
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM users WHERE user_id = ?", arguments: [reference]) {
                return try Self.user(from: row)
            }
            return try Row.fetchOne(db, sql: "SELECT * FROM users WHERE email = ? COLLATE NOCASE", arguments: [reference]).map(Self.user(from:))
        }
    }

    public func claimActivationMail(id: Int64, at instant: UTCDateTime, notSentSince notBefore: UTCDateTime?) throws -> MailClaim {
        try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM users WHERE id = ?", arguments: [id]) else {
                throw AccountsError(.noSuchUser, "no account with id \(id)")
            }
            let user = try Self.user(from: row)
            guard ActivationWindow.isNeverActivated(user) else { return .refused(user) }
            if let notBefore, let sent = user.activationSentAt, sent >= notBefore { return .refused(user) }
            try db.execute(sql: "UPDATE users SET activation_sent_at = ? WHERE id = ?", arguments: [instant.storageText, id])
            return .claimed(previous: user.activationSentAt, mail: try Self.enqueue(db, for: user, at: instant))
        }
    }

    public func releaseActivationMail(id: Int64, claimedAt instant: UTCDateTime, previous: UTCDateTime?) throws {
        try write { db in
            try db.execute(sql: "UPDATE users SET activation_sent_at = ? WHERE id = ? AND activation_sent_at = ?",
                           arguments: [previous?.storageText, id, instant.storageText])
        }
    }

    public func activate(_ user: User, at instant: UTCDateTime, detail: String) throws -> Bool {
        try write { db in
            // The token covers password, email and last_login; never-activated is re-checked here,
            // in the same statement, so that nothing that changed since the check can slip through.
            try db.execute(sql: """
                UPDATE users SET is_active = 1, last_login = ?, activated_at = ?
                WHERE id = ? AND \(Self.neverActivated) AND password = ? AND email = ?
                """, arguments: [instant.storageText, instant.storageText, user.id, user.password, user.email])
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
            while let row = try rows.next() {
                try body(try Self.user(from: row))
            }
        }
    }

    public func purgeExpired(cutoff: UTCDateTime, at instant: UTCDateTime) throws -> Int {
        let (condition, arguments) = Self.condition(for: .expired, cutoff: cutoff)
        return try write { db in
            // The statements use one predicate inside one write transaction, so they see the same rows.
            let doomed = try Int.fetchOne(db, sql: "SELECT count(*) FROM users WHERE \(condition)", arguments: arguments) ?? 0
            guard doomed > 0 else { return 0 }
            let noun = doomed == 1 ? "account" : "accounts"
            try db.execute(sql: """
                INSERT INTO audit_log (at, os_user, action, account_id, user_id, outcome, detail) VALUES (?, ?, ?, NULL, NULL, ?, ?)
                """, arguments: [instant.storageText, actor, AuditAction.purge.rawValue, AuditOutcome.ok.rawValue,
                                 "\(doomed) \(noun) never activated, activation window started before \(cutoff.wholeSecondsText)"])
            let auditID = db.lastInsertedRowID
            try db.execute(sql: """
                INSERT INTO purged_users (id, user_id, email, password, is_active, level, department, date_joined,
                                          last_login, activation_sent_at, activated_at, purged_at, audit_id)
                SELECT id, user_id, email, password, is_active, level, department, date_joined,
                       last_login, activation_sent_at, activated_at, ?, ?
                FROM users WHERE \(condition)
                """, arguments: [instant.storageText, auditID] + arguments)
            let archived = db.changesCount
            try db.execute(sql: "DELETE FROM users WHERE \(condition)", arguments: arguments)
            guard archived == doomed, db.changesCount == archived else {
                throw AccountsError(.unavailable, "purge aborted: counted \(doomed) rows, archived \(archived), would delete \(db.changesCount)")
            }
            return archived
        }
    }

    public func restore(_ reference: String, at instant: UTCDateTime) throws -> User {
        try write { db in
            // The latest archived copy: a user_id may have been registered and purged more than once.
            guard let archived = try Row.fetchOne(db, sql: """
                SELECT * FROM purged_users WHERE (user_id = ? OR email = ? COLLATE NOCASE) AND restored_at IS NULL
                ORDER BY archive_id DESC LIMIT 1
                """, arguments: [reference, reference]) else {
                if let current = try Row.fetchOne(db, sql: "SELECT id, user_id FROM users WHERE user_id = ? OR email = ? COLLATE NOCASE LIMIT 1",
                                                  arguments: [reference, reference]) {
                    let userID: String = try current.field("user_id", table: "users")
                    throw AccountsError(.badData, "account '\(printable(userID))' is not purged: it exists, with id \(try current.field("id", table: "users") as Int64)")
                }
                throw AccountsError(.noSuchUser, "no purged account with user_id or email '\(printable(reference))' (see: accounts log --action purge)")
            }
            var user = try Self.user(from: archived)
            let archiveID: Int64 = try archived.field("archive_id", table: "purged_users")
            if let row = try Row.fetchOne(db, sql: "SELECT user_id, email FROM users WHERE user_id = ? OR email = ? COLLATE NOCASE LIMIT 1",
                                          arguments: [user.userID, user.email]) {
                let taken: String = try row.field("user_id", table: "users")
                throw AccountsError(.badData, "cannot restore '\(printable(user.userID))': account '\(printable(taken))' now has its user_id or email")
            }
            // Back with its old id (ids are never reused, so it is free). Its activation window
            // restarts now: otherwise the next purge would delete it again at once.
            user.activationSentAt = instant
            try db.execute(sql: """
                INSERT INTO users (id, user_id, email, password, is_active, level, department, date_joined,
                                   last_login, activation_sent_at, activated_at)
                SELECT id, user_id, email, password, is_active, level, department, date_joined, last_login, ?, activated_at
                FROM purged_users WHERE archive_id = ?
                """, arguments: [instant.storageText, archiveID])
            // The archive row stays, marked, so that the log still shows the purge.
            try db.execute(sql: "UPDATE purged_users SET restored_at = ? WHERE archive_id = ?",
                           arguments: [instant.storageText, archiveID])
            let purgedAt: String = try archived.field("purged_at", table: "purged_users")
            try audit(db, .restore, user, .ok, "purged at \(purgedAt.prefix(19)); activation window restarted", at: instant)
            return user
        }
    }

    public func forEachAuditEntry(_ query: AuditQuery, _ body: (AuditEntry) throws -> Void) throws {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let user = query.user {
            // An email finds the account's entries through its id, whether it is still there or purged.
            conditions.append("""
                (user_id = ? OR account_id IN (SELECT id FROM users WHERE email = ? COLLATE NOCASE
                                               UNION ALL SELECT id FROM purged_users WHERE email = ? COLLATE NOCASE))
                """)
            arguments += [user, user, user]
        }
        if let since = query.since {
            conditions.append("at >= ?")
            arguments += [since.storageText]
        }
        if let action = query.action {
            conditions.append("action = ?")
            arguments += [action.rawValue]
        }
        let filter = conditions.isEmpty ? "1" : conditions.joined(separator: " AND ")
        // A purge's one audit_log row stands for an entry per account it removed, read from purged_users.
        let entries = """
            SELECT id, at, os_user, action, account_id, user_id, outcome, detail, 0 AS part FROM audit_log WHERE action <> 'purge'
            UNION ALL
            SELECT a.id, a.at, a.os_user, a.action, p.id, p.user_id, a.outcome,
                   'never activated; activation window started ' || coalesce(p.activation_sent_at, p.date_joined), p.archive_id
            FROM audit_log a JOIN purged_users p ON p.audit_id = a.id WHERE a.action = 'purge'
            """
        var sql = "SELECT * FROM (\(entries)) WHERE \(filter) ORDER BY id, part"
        if let limit = query.limit {
            sql = "SELECT * FROM (SELECT * FROM (\(entries)) WHERE \(filter) ORDER BY id DESC, part DESC LIMIT \(max(0, limit))) ORDER BY id, part"
        }
        try read { db in
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try rows.next() {
                try body(try Self.auditEntry(from: row))
            }
        }
    }

    // MARK: - SQL helpers

    /// Appends to audit_log inside the caller's write transaction.
    func audit(_ db: Database, _ action: AuditAction, _ user: User, _ outcome: AuditOutcome, _ detail: String,
                       at instant: UTCDateTime) throws {
        try db.cachedStatement(sql: """
            INSERT INTO audit_log (at, os_user, action, account_id, user_id, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [instant.storageText, actor, action.rawValue, user.id, user.userID, outcome.rawValue, detail])
    }

    private static func auditEntry(from row: Row) throws -> AuditEntry {
        let table = "audit_log"
        let actionText: String = try row.field("action", table: table)
        let outcomeText: String = try row.field("outcome", table: table)
        guard let at = try row.date("at", table: table), let action = AuditAction(rawValue: actionText),
              let outcome = AuditOutcome(rawValue: outcomeText) else {
            throw AccountsError(.badData, "audit_log row \(try row.field("id", table: table) as Int64) is damaged: '\(printable(actionText))' '\(printable(outcomeText))'")
        }
        return AuditEntry(id: try row.field("id", table: table), at: at, osUser: try row.field("os_user", table: table), action: action,
                          accountID: try row.field("account_id", table: table), userID: try row.field("user_id", table: table),
                          outcome: outcome, detail: try row.field("detail", table: table))
    }

    /// `ActivationWindow.isNeverActivated` in SQL: the one translation every statement uses. The
    /// partial index `users_never_activated` (Schema) serves exactly this predicate.
    static let neverActivated = "is_active = 0 AND last_login IS NULL AND activated_at IS NULL"

    /// The WHERE clause for a state (`ActivationWindow.state`).
    private static func condition(for state: AccountState?, cutoff: UTCDateTime) -> (String, StatementArguments) {
        let windowStart = "coalesce(activation_sent_at, date_joined)"
        switch state {
        case nil: return ("1", [])
        case .active: return ("is_active = 1", [])
        case .pending: return ("\(neverActivated) AND \(windowStart) >= ?", [cutoff.storageText])
        case .expired: return ("\(neverActivated) AND \(windowStart) < ?", [cutoff.storageText])
        case .inactive: return ("is_active = 0 AND NOT (\(neverActivated))", [])
        }
    }

    static func user(from row: Row) throws -> User {
        let table = "users"
        guard let joined = try row.date("date_joined", table: table) else {
            throw AccountsError(.badData, "users row \(try row.field("id", table: table) as Int64): date_joined is empty")
        }
        return User(id: try row.field("id", table: table), userID: try row.field("user_id", table: table),
                    email: try row.field("email", table: table), password: try row.field("password", table: table),
                    isActive: try row.field("is_active", table: table) as Int64? == 1,
                    level: try row.field("level", table: table), department: try row.field("department", table: table),
                    dateJoined: joined, lastLogin: try row.date("last_login", table: table),
                    activationSentAt: try row.date("activation_sent_at", table: table), activatedAt: try row.date("activated_at", table: table))
    }

    private static func duplicate(_ new: NewUser, existingUserID: String) -> AccountsError {
        if existingUserID == new.userID {
            return AccountsError(.badData, "user_id '\(new.userID)' is already registered")
        }
        return AccountsError(.badData, "email '\(new.email)' is already registered (to user_id '\(printable(existingUserID))')")
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try queue.read(body) } catch { throw Self.translate(error, path: path) }
    }

    /// A write transaction that takes the write lock up front (BEGIN IMMEDIATE).
    ///
    /// `manyStatements`: SQLite keeps a statement journal for each INSERT into users (its trigger
    /// could fire); in a temporary file by default, that is five writes a row, in memory none. For
    /// a transaction of many inserts; elsewhere the default stays, so that a large sort (`log`)
    /// can still spill to disk.
    func write<T>(manyStatements: Bool = false, _ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.writeWithoutTransaction { db in
                if manyStatements { try db.execute(sql: "PRAGMA temp_store = MEMORY") }
                defer { if manyStatements { try? db.execute(sql: "PRAGMA temp_store = DEFAULT") } }
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    /// SQLite failures as the tool reports them: busy is worth retrying, a broken or
    /// unwritable file is not.
    static func translate(_ error: Error, path: String) -> Error {
        guard let error = error as? DatabaseError else { return error }
        let detail = error.message ?? "\(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return AccountsError(.temporary, "database \(path) is busy (another process holds it); try again")
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return AccountsError(.unavailable, "database \(path) is damaged or not an SQLite database: \(detail)")
        case .SQLITE_READONLY:
            // Even reading a WAL database writes its -shm file beside it.
            return AccountsError(.ioError, "cannot use database \(path): it is read-only for this user (SQLite needs to write the file and its directory): \(detail)")
        case .SQLITE_CANTOPEN, .SQLITE_IOERR, .SQLITE_FULL, .SQLITE_PERM, .SQLITE_AUTH:
            return AccountsError(.ioError, "cannot use database \(path): \(detail)")
        default:
            return AccountsError(.unavailable, "database \(path): \(detail)")
        }
    }
}
