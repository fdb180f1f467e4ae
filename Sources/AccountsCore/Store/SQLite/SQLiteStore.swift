import Foundation
import GRDB

/// The SQLite store: one file, WAL, a busy timeout, versioned migrations. Every change it makes
/// to an account is recorded in audit_log inside the same transaction, so neither exists alone.
public final class SQLiteStore: AccountStore, Sendable {
    public let path: String
    public var description: String { path }
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
            throw AccountsError(.noInput, "no database at \(path)", hint: .createDatabase)
        }
        if !exists { try FilePermissions.requireCreatable(path, what: "the database") }
        Self.warnIfExposed(path)
        var configuration = Configuration()
        // WAL, so that readers never wait for the writer. It is a property of the file, set once
        // (below): GRDB's `.wal` would also make a write transaction at every open whose -wal
        // file is empty (CREATE and DROP a table, for its DatabasePool), which a read command
        // has no business doing and which was a sixth of an empty `list`'s work.
        configuration.prepareDatabase { db in
            // Safe with WAL: a power cut may lose the last transactions, never corrupt the file.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        // Other accounts processes (an operator, the nightly purge) may hold the write lock
        // for a moment; wait for it rather than fail.
        configuration.busyMode = .timeout(15)
        configuration.label = "accounts"
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.inDatabase { db in
                if try String.fetchOne(db, sql: "PRAGMA journal_mode") != "wal" {
                    try db.execute(sql: "PRAGMA journal_mode = WAL")
                }
            }
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

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try queue.read(body) } catch { throw Self.translate(error, path: path) }
    }

    /// One SELECT, which SQLite runs atomically on its own: without the BEGIN, COMMIT and
    /// query_only pragmas `read` wraps around its body, which cost more than the lookup itself
    /// on `serve`'s hot path (a user by id).
    func readOneStatement<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try queue.inDatabase(body) } catch { throw Self.translate(error, path: path) }
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

    /// `accounts check`: the schema as it is, opened read-only, without migrating anything.
    static func schemaStatus(path: String) throws -> SchemaStatus {
        guard FileManager.default.fileExists(atPath: path) else {
            throw AccountsError(.noInput, "no database at \(path)", hint: .createDatabase)
        }
        var configuration = Configuration()
        configuration.readonly = true
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            return try queue.inDatabase { db in
                let tables = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
                let applied = tables.contains("grdb_migrations") ? Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")) : []
                let users = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'")
                return SchemaStatus(hasUsersTable: users != nil, pendingMigrations: Schema.identifiers.filter { !applied.contains($0) },
                                    madeByDjango: users.map { $0.lowercased().contains("varchar(") })
            }
        } catch {
            throw translate(error, path: path)
        }
    }
}
