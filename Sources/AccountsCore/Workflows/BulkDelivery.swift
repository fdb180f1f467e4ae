import Dispatch
import Foundation
import Synchronization

/// Delivers many outbox mails over a few connections at once: one thread per connection (so
/// `--concurrency 8` means eight connections, however many CPUs there are), each with its own
/// flow and mail backend, reused for its share of the messages. Each mail goes through
/// `MailDelivery`, so none is sent twice even if another process delivers at the same
/// time, and each is looked up when its turn comes, so a million queued mails cost a million
/// ids in memory, not a million rows.
///
/// When the relay says "not now" (a 421, a 4xx, a refused connection, a timeout, or a refusal
/// about the settings), the run stops opening connections to it: workers whose connection still
/// works keep sending, the others stop, and the mails nobody tried stay queued, due again after
/// a pause (the circuit breaker of docs/outbox.md).
public struct BulkDelivery: Sendable {
    let store: AccountStore
    let workers: Int
    let makeFlow: @Sendable () throws -> any MailFlow

    /// `makeFlow` is called once per worker: the flow whose mails these are, with a backend of
    /// the worker's own.
    public init(store: AccountStore, workers: Int, makeFlow: @escaping @Sendable () throws -> any MailFlow) {
        self.store = store
        self.workers = max(1, workers)
        self.makeFlow = makeFlow
    }

    /// How far a run has come, for a progress line.
    public struct Progress: Sendable {
        public var sent = 0
        public var failed = 0
        /// Sent by another process, or no longer to be sent.
        public var skipped = 0
        public var total = 0
        public var done: Int { sent + failed + skipped }
    }

    public struct Report: Sendable {
        public var total = 0
        public var sent = 0
        public var failures = FailureTally()
        /// Outbox ids of the mails that failed.
        public var failedMailIDs: [Int64] = []
        /// Taken by another process first, or no longer to be sent (the account changed).
        public var notTaken = 0
        /// The failure that stopped the run from opening connections, if one did.
        public var stoppedBy: MailFailure?
        /// Mails nobody tried once the run stopped: still queued, due again at `deferredUntil`.
        public var deferredMailIDs: [Int64] = []
        public var deferredUntil: UTCDateTime?

        public init() {}

        /// The error the run ends with (see `FailureTally`); nil when every mail went out.
        public var error: AccountsError? {
            failures.error(of: total, notTried: deferredMailIDs.count, until: deferredUntil)
        }
    }

    /// Sends the outbox rows `mailIDs`, calling `progress` after each one (from the worker
    /// threads). Throws only when the database or the mail setup fails; then the workers stop.
    public func deliver(_ mailIDs: [Int64], progress: @escaping @Sendable (Progress) -> Void) throws -> Report {
        let run = Run(total: mailIDs.count)
        let finished = DispatchGroup()
        for _ in 0..<min(workers, max(mailIDs.count, 1)) {
            finished.enter()
            // A thread of its own: each worker blocks on its connection most of the time, and a
            // pool sized to the CPUs would run only as many connections as there are cores.
            let thread = Thread {
                work(mailIDs, run, progress)
                finished.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        finished.wait()
        var report = try run.state.withLock { state in
            if let error = state.error { throw error }
            return state.report
        }
        if report.stoppedBy != nil {
            let next = run.state.withLock { $0.next }
            report.deferredMailIDs = Array(mailIDs[min(next, mailIDs.count)...])
            let until = UTCDateTime.now().adding(seconds: OutboxEntry.retryDelay(afterAttempts: 1))
            report.deferredUntil = until
            try store.deferMail(report.deferredMailIDs, until: until)
        }
        return report
    }

    /// What the workers share.
    private final class Run: Sendable {
        let state: Mutex<State>

        init(total: Int) {
            var state = State()
            state.report.total = total
            self.state = Mutex(state)
        }
    }

    private struct State: Sendable {
        var next = 0
        var progress = Progress()
        var report = Report()
        var error: Error?
    }

    private func work(_ mailIDs: [Int64], _ run: Run, _ progress: (Progress) -> Void) {
        let delivery: MailDelivery
        let flow: any MailFlow
        do {
            flow = try makeFlow()
            delivery = MailDelivery(store: store, flows: [flow])
        } catch {
            run.state.withLock { $0.error = $0.error ?? error }
            return
        }
        while let index = run.state.withLock({ state -> Int? in
            guard state.error == nil, state.next < mailIDs.count else { return nil }
            // Once the relay said "not now", only a connection already open may go on.
            guard state.report.stoppedBy == nil || flow.backend.isConnected else { return nil }
            defer { state.next += 1 }
            return state.next
        }) {
            do {
                let attempt = try delivery.deliver(mailID: mailIDs[index])
                let now = run.state.withLock { state -> Progress in
                    switch attempt.outcome {
                    case .delivery(.sent):
                        state.report.sent += 1
                        state.progress.sent += 1
                    case .delivery(.failed(let failure)):
                        state.report.failures.add(failure, userID: attempt.user?.userID)
                        state.report.failedMailIDs.append(mailIDs[index])
                        state.progress.failed += 1
                        if !failure.permanent && state.report.stoppedBy == nil { state.report.stoppedBy = failure }
                    case .delivery(.notTaken), .abandoned:
                        state.report.notTaken += 1
                        state.progress.skipped += 1
                    }
                    state.progress.total = mailIDs.count
                    return state.progress
                }
                progress(now)
            } catch {
                run.state.withLock { $0.error = $0.error ?? error }
            }
        }
    }
}
