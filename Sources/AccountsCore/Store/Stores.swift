/// Opens the store a `DatabaseLocation` names: the one place that knows both kinds.
public enum Stores {
    /// `password`: asked only for a PostgreSQL server (DATABASE_PASSWORD from the secrets file,
    /// when there is one); libpq's own sources (.pgpass, PGPASSWORD, peer) need none.
    public static func open(_ location: DatabaseLocation, create: Bool, password: () throws -> String?) throws -> AccountStore {
        switch location {
        case .sqlite(let path):
            return try SQLiteStore(path: path, create: create)
        case .postgres(let target):
            return try PostgresStore(target: target, create: create, password: password())
        }
    }
}
