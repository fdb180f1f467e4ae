import AccountsCore
import NIOPosix

/// Runs the pages' store calls on a thread pool, never on an event loop. A store or mail
/// failure is the "try later" page, and a line for the operator on stderr (store messages hold
/// no tokens).
struct StoreCalls: Sendable {
    let pool: NIOThreadPool

    func run<Page: Sendable>(unavailable: Page, _ body: @escaping @Sendable () throws -> Page) async -> Page {
        do {
            return try await pool.runIfActive(body)
        } catch let error as AccountsError {
            StandardError.write("accounts serve: \(error.message)\n")
            return unavailable
        } catch {
            StandardError.write("accounts serve: \(error)\n")
            return unavailable
        }
    }
}
