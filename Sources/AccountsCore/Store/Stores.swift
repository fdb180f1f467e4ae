/// Opens the store a `DatabaseLocation` names: the one place that knows both kinds.
public enum Stores {
    /// `password`: asked only for a PostgreSQL server (DATABASE_PASSWORD from the secrets file,
    /// when there is one); libpq's own sources (.pgpass, PGPASSWORD, peer) need none.
    /// `statementTimeout`: on PostgreSQL, how long one statement may run (nil: no bound).
    public static func open(_ location: DatabaseLocation, create: Bool, statementTimeout: Duration? = .seconds(30),
                            password: () throws -> String?) throws -> AccountStore {
        switch location {
        case .sqlite(let path):
            return try SQLiteStore(path: path, create: create)
        case .postgres(let target):
            return try PostgresStore(target: target, create: create, password: password(), statementTimeout: statementTimeout)
        }
    }
}
