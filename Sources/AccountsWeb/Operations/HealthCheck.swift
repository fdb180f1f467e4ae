import AccountsCore
import NIOPosix

/// /healthz: can the store answer a query now? On a thread of its own, one check at a time, and
/// within `limit` whatever the database does (a table locked by a migration, a server that
/// never answers): past it the answer is no, and the check goes on in the background.
final class HealthCheck: Sendable {
    private let check: OneAtATime<Bool>
    private let limit: Duration

    init(store: AccountStore, pool: NIOThreadPool, limit: Duration = .seconds(3)) {
        self.limit = limit
        check = OneAtATime {
            (try? await pool.runIfActive {
                _ = try store.user(id: 1)
                return true
            }) ?? false
        }
    }

    func healthy() async -> Bool {
        await check.value(within: limit) ?? false
    }
}
