import AccountsCore
import NIOPosix

/// Sends the mails the pages queue in the outbox ("send me a new link"), on threads of their
/// own: a page answers once the mail is queued and never waits for SMTP. At most `capacity` wait
/// here; beyond that (a relay that stalls) a mail stays queued in the outbox, where
/// `accounts outbox retry` finds it, as it finds one that failed.
final class MailDispatcher: Sendable {
    private let pool: NIOThreadPool
    private let delivery: @Sendable () throws -> MailDelivery
    private let waiting = Locked(0)
    let capacity: Int

    init(pool: NIOThreadPool, capacity: Int = 1000, delivery: @escaping @Sendable () throws -> MailDelivery) {
        self.pool = pool
        self.capacity = capacity
        self.delivery = delivery
    }

    /// Hands outbox row `mailID` to a sending thread, unless `capacity` already wait.
    func send(_ mailID: Int64) {
        let taken = waiting.withLock { count in
            guard count < capacity else { return false }
            count += 1
            return true
        }
        guard taken else {
            StandardError.write("accounts serve: outbox #\(mailID) stays queued (\(capacity) mails already wait to be sent); accounts outbox retry sends it\n")
            return
        }
        let waiting = self.waiting, delivery = self.delivery
        pool.submit { state in
            defer { waiting.withLock { $0 -= 1 } }
            guard state == .active else { return }
            do {
                let attempt = try delivery().deliver(mailID: mailID)
                if case .delivery(.failed(let failure)) = attempt.outcome {
                    StandardError.write("accounts serve: outbox #\(mailID) not sent: \(failure.error.message) (it stays in the outbox)\n")
                }
            } catch {
                StandardError.write("accounts serve: outbox #\(mailID) not sent: \(error)\n")
            }
        }
    }
}
