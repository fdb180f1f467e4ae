import Foundation

/// The PostgreSQL store: the same contract as `SQLiteStore`, for a database shared by several
/// hosts (and often PgBouncer in transaction-pooling mode). So nothing here keeps session state:
/// no named prepared statements, no session settings or locks; what a transaction needs it sets
/// with SET LOCAL or takes with a transaction-scoped lock. Datetimes travel in binary, so the
/// session's TimeZone never matters.
public final class PostgresStore: AccountStore, Sendable {
    /// Who the audit log names for changes made through this store.
    public let actor: String
    /// `postgresql://user@host:port/database`, for messages; never a password.
    public let description: String
    private let pool: PGPool

    /// Connects (libpq's defaults and environment fill in what `target` leaves out) and migrates.
    /// `password`: DATABASE_PASSWORD from the secrets file, if any. With `create` false, a
    /// database without the accounts tables is an error instead of getting them, so a mistyped
    /// database name is not silently "no users".
    /// `statementTimeout`: how long one statement may run before it is cancelled (75); nil: no bound.
    public init(target: PostgresTarget, create: Bool, password: String? = nil, actor: String = OSUser.current(),
                statementTimeout: Duration? = .seconds(30)) throws {
        self.actor = actor
        let (first, settings) = try Self.connect(target, password: password)
        let fallback = target.description
        first.statementTimeout = statementTimeout
        description = first.description
        pool = PGPool(first: first) {
            let connection = try PGConnection(parameters: settings, describedAs: fallback)
            connection.statementTimeout = statementTimeout
            return connection
        }
        try connected { connection in try PostgresSchema.migrate(connection, create: create) }
    }

    /// One connection to `target` (libpq's defaults and environment fill in what it leaves out,
    /// and verified TLS to another machine, `PGTransportSecurity`), and the parameters it used.
    static func connect(_ target: PostgresTarget, password: String?) throws -> (PGConnection, [(String, String)]) {
        var parameters: [(String, String)] = [("fallback_application_name", "accounts")]
        // So that cron never hangs on a server that does not answer (libpq waits forever by default).
        if ProcessInfo.processInfo.environment["PGCONNECT_TIMEOUT"] == nil { parameters.append(("connect_timeout", "10")) }
        if let password { parameters.append(("password", password)) }
        // Last, so that what the URI says wins over the defaults above.
        if let uri = target.uri { parameters.append(("dbname", uri)) }
        let (settings, forcedTLS) = PGTransportSecurity.secured(parameters, saysSSLMode: target.saysSSLMode, describedAs: target.description)
        do {
            return (try PGConnection(parameters: settings, describedAs: target.description), settings)
        } catch var error as AccountsError where forcedTLS && error.kind == .configuration && error.hint == nil {
            error.hint = .verifiedTLSRequired
            throw error
        }
    }

    /// `accounts check`: the schema as it is, without migrating anything.
    static func schemaStatus(_ target: PostgresTarget, password: String?) throws -> SchemaStatus {
        let (connection, _) = try connect(target, password: password)
        connection.statementTimeout = .seconds(10)
        let found = try connection.query("""
            SELECT to_regclass('accounts_migrations') IS NOT NULL, to_regclass('users') IS NOT NULL
            """).row(0)
        let applied = try found.bool(0) == true ? try PostgresSchema.appliedMigrations(connection) : []
        return SchemaStatus(hasUsersTable: try found.bool(1) ?? false,
                            pendingMigrations: PostgresSchema.identifiers.filter { !applied.contains($0) }, madeByDjango: nil)
    }

    /// Runs `body` on a connection of the pool, outside a transaction (each statement is one).
    @discardableResult
    func connected<T>(_ body: (PGConnection) throws -> T) throws -> T {
        do {
            return try pool.withConnection(body)
        } catch let failure as PGFailure {
            throw failure.error
        }
    }

    /// Runs `body` in a transaction.
    func write<T>(_ body: (PGConnection) throws -> T) throws -> T {
        try connected { connection in try connection.transaction { try body(connection) } }
    }
}
