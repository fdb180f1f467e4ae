import Synchronization

/// Connections for one store, each used by one thread at a time (libpq's rule): a caller takes
/// an idle one or opens another, and gives it back when done unless it broke. As many as there
/// are threads using the store at once (a bulk run's delivery threads), no more.
final class PGPool: Sendable {
    private let idle = Mutex<[PGConnection]>([])
    private let connect: @Sendable () throws -> PGConnection

    init(first: PGConnection, connect: @escaping @Sendable () throws -> PGConnection) {
        idle.withLock { $0.append(first) }
        self.connect = connect
    }

    /// A connection that sat idle may have died meanwhile (the server restarted): when it fails
    /// before completing a single statement, nothing reached the database, and the work is done
    /// once more on a fresh connection instead of failing the caller.
    func withConnection<T>(_ body: (PGConnection) throws -> T) throws -> T {
        if let pooled = idle.withLock({ $0.popLast() }) {
            do {
                return try use(pooled, body)
            } catch where pooled.isBroken && pooled.completedStatements == 0 {
                // Stale: retried below, once.
            }
        }
        return try use(try connect(), body)
    }

    private func use<T>(_ connection: PGConnection, _ body: (PGConnection) throws -> T) throws -> T {
        connection.checkedOut()
        defer {
            if connection.isReusable { idle.withLock { $0.append(connection) } }
        }
        return try body(connection)
    }
}
