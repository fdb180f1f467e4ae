/// What `accounts check` learns of a database without changing it.
public struct SchemaStatus: Sendable, Equatable {
    public var hasUsersTable: Bool
    /// Migrations the next command will apply.
    public var pendingMigrations: [String]
    /// The users table was made by Django's migrate and adopted; nil where that cannot be told
    /// (on PostgreSQL accounts makes it exactly as Django would).
    public var madeByDjango: Bool?
}

extension Stores {
    /// The schema of the database `location` names, read without migrating anything.
    public static func schemaStatus(_ location: DatabaseLocation, password: () throws -> String?) throws -> SchemaStatus {
        switch location {
        case .sqlite(let path): try SQLiteStore.schemaStatus(path: path)
        case .postgres(let target): try PostgresStore.schemaStatus(target, password: password())
        }
    }
}
