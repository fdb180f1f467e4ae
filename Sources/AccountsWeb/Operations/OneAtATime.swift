import Synchronization

/// One computation at a time, shared by everyone who asks while it runs: ten scrapers of
/// /metrics, or ten probes of /healthz, start one query, not ten.
final class OneAtATime<Value: Sendable>: Sendable {
    private let running = Mutex<Task<Value, Never>?>(nil)
    private let work: @Sendable () async -> Value

    init(_ work: @escaping @Sendable () async -> Value) {
        self.work = work
    }

    /// The running computation's value, or a new one's.
    func value() async -> Value {
        await task().value
    }

    /// The same, or nil when it is not there within `limit` (it goes on, and the next caller
    /// within its run shares it).
    func value(within limit: Duration) async -> Value? {
        let task = task()
        let answer = Locked<CheckedContinuation<Value?, Never>?>(nil)
        return await withCheckedContinuation { continuation in
            answer.withLock { $0 = continuation }
            Task {
                let value = await task.value
                answer.withLock { $0?.resume(returning: value); $0 = nil }
            }
            Task {
                try? await Task.sleep(for: limit)
                answer.withLock { $0?.resume(returning: nil); $0 = nil }
            }
        }
    }

    private func task() -> Task<Value, Never> {
        running.withLock { running in
            if let running { return running }
            let work = self.work
            let task = Task { [weak self] in
                let value = await work()
                self?.running.withLock { $0 = nil }
                return value
            }
            running = task
            return task
        }
    }
}
