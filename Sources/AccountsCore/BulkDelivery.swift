import Dispatch
import Synchronization

/// Delivers many outbox mails with a few workers in parallel, each with its own mail backend
/// (for SMTP: one connection, reused for its share of the messages). Each mail goes through
/// `ActivationDelivery`, so none is sent twice even if another process delivers at the same time.
public struct BulkDelivery {
    let store: AccountStore
    let links: ActivationLinks
    let workers: Int
    let makeMail: () throws -> ActivationMail

    /// `makeMail` is called once per worker.
    public init(store: AccountStore, links: ActivationLinks, workers: Int, makeMail: @escaping () throws -> ActivationMail) {
        self.store = store
        self.links = links
        self.workers = max(1, workers)
        self.makeMail = makeMail
    }

    public struct Failure: Sendable {
        public var entry: OutboxEntry
        public var user: User
        public var failure: MailFailure
    }

    public struct Report: Sendable {
        public var sent = 0
        public var failures: [Failure] = []
        /// Taken by another process first.
        public var notTaken = 0

        public init() {}
    }

    /// Sends `mails`, calling `progress(done, total)` after each one (from the worker threads).
    /// Throws only when the database or the mail setup fails; then the workers stop.
    public func deliver(_ mails: [(OutboxEntry, User)], progress: @escaping @Sendable (Int, Int) -> Void) throws -> Report {
        let shared = Shared(store: store, links: links, makeMail: makeMail, mails: mails)
        DispatchQueue.concurrentPerform(iterations: min(workers, max(mails.count, 1))) { _ in
            shared.work(progress: progress)
        }
        return try shared.result()
    }

    /// What the workers share; every mutable part is behind the mutex.
    private final class Shared: @unchecked Sendable {
        let store: AccountStore
        let links: ActivationLinks
        let makeMail: () throws -> ActivationMail
        let mails: [(OutboxEntry, User)]
        private let state = Mutex(State())

        struct State {
            var next = 0
            var done = 0
            var report = Report()
            var error: Error?
        }

        init(store: AccountStore, links: ActivationLinks, makeMail: @escaping () throws -> ActivationMail, mails: [(OutboxEntry, User)]) {
            self.store = store
            self.links = links
            self.makeMail = makeMail
            self.mails = mails
        }

        func work(progress: (Int, Int) -> Void) {
            let delivery: ActivationDelivery
            do {
                delivery = ActivationDelivery(store: store, links: links, mail: try makeMail())
            } catch {
                state.withLock { $0.error = $0.error ?? error }
                return
            }
            while let index = state.withLock({ state -> Int? in
                guard state.error == nil, state.next < mails.count else { return nil }
                defer { state.next += 1 }
                return state.next
            }) {
                let (entry, user) = mails[index]
                do {
                    let result = try delivery.deliver(entry, to: user, at: .now())
                    let done = state.withLock { state -> Int in
                        switch result {
                        case .sent: state.report.sent += 1
                        case .failed(let failure): state.report.failures.append(Failure(entry: entry, user: user, failure: failure))
                        case .notTaken: state.report.notTaken += 1
                        }
                        state.done += 1
                        return state.done
                    }
                    progress(done, mails.count)
                } catch {
                    state.withLock { $0.error = $0.error ?? error }
                }
            }
        }

        func result() throws -> Report {
            try state.withLock { state in
                if let error = state.error { throw error }
                var report = state.report
                report.failures.sort { $0.entry.id < $1.entry.id }
                return report
            }
        }
    }
}
