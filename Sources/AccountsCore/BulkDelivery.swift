import Dispatch
import Synchronization

/// Delivers many outbox mails with a few workers in parallel, each with its own mail backend
/// (for SMTP: one connection, reused for its share of the messages). Each mail goes through
/// `ActivationDelivery`, so none is sent twice even if another process delivers at the same
/// time, and each is looked up when its turn comes, so a million queued mails cost a million
/// ids in memory, not a million rows.
public struct BulkDelivery: Sendable {
    let store: AccountStore
    let links: ActivationLinks
    let workers: Int
    let makeMail: @Sendable () throws -> ActivationMail

    /// `makeMail` is called once per worker.
    public init(store: AccountStore, links: ActivationLinks, workers: Int, makeMail: @escaping @Sendable () throws -> ActivationMail) {
        self.store = store
        self.links = links
        self.workers = max(1, workers)
        self.makeMail = makeMail
    }

    public struct Report: Sendable {
        public var total = 0
        public var sent = 0
        public var failures = FailureTally()
        /// Outbox ids of the mails that failed.
        public var failedMailIDs: [Int64] = []
        /// Taken by another process first, or no longer to be sent (the account changed).
        public var notTaken = 0

        public init() {}

        /// The error the run ends with (see `FailureTally`); nil when every mail went out.
        public var error: AccountsError? { failures.error(of: total) }
    }

    /// Sends the outbox rows `mailIDs`, calling `progress(done, total)` after each one (from the
    /// worker threads). Throws only when the database or the mail setup fails; then the workers stop.
    public func deliver(_ mailIDs: [Int64], progress: @escaping @Sendable (Int, Int) -> Void) throws -> Report {
        let state = Mutex(State(total: mailIDs.count))
        DispatchQueue.concurrentPerform(iterations: min(workers, max(mailIDs.count, 1))) { _ in
            work(mailIDs, state, progress)
        }
        return try state.withLock { state in
            if let error = state.error { throw error }
            return state.report
        }
    }

    private struct State: Sendable {
        var next = 0
        var done = 0
        var report = Report()
        var error: Error?

        init(total: Int) { report.total = total }
    }

    private func work(_ mailIDs: [Int64], _ state: borrowing Mutex<State>, _ progress: (Int, Int) -> Void) {
        let delivery: ActivationDelivery
        do {
            delivery = ActivationDelivery(store: store, links: links, mail: try makeMail())
        } catch {
            state.withLock { $0.error = $0.error ?? error }
            return
        }
        while let index = state.withLock({ state -> Int? in
            guard state.error == nil, state.next < mailIDs.count else { return nil }
            defer { state.next += 1 }
            return state.next
        }) {
            do {
                let attempt = try delivery.deliver(mailID: mailIDs[index])
                let done = state.withLock { state -> Int in
                    switch attempt.outcome {
                    case .delivery(.sent): state.report.sent += 1
                    case .delivery(.failed(let failure)):
                        state.report.failures.add(failure, userID: attempt.user?.userID)
                        state.report.failedMailIDs.append(mailIDs[index])
                    case .delivery(.notTaken), .abandoned: state.report.notTaken += 1
                    }
                    state.done += 1
                    return state.done
                }
                progress(done, mailIDs.count)
            } catch {
                state.withLock { $0.error = $0.error ?? error }
            }
        }
    }
}
