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

    func withConnection<T>(_ body: (PGConnection) throws -> T) throws -> T {
        let connection = try idle.withLock { $0.popLast() } ?? connect()
        defer {
            if connection.isReusable { idle.withLock { $0.append(connection) } }
        }
        return try body(connection)
    }
}
