import AccountsCore
import NIOPosix

/// /metrics' statistics: read on a thread and a store connection of their own, one reading at a
/// time, and reused for `maximumAge`, so that scrapers in a loop never make a page wait (the
/// counters come from aggregates over the audit log, which grow with it).
final class MetricsCache: Sendable {
    private struct Reading: Sendable {
        let text: String?
        let at: ContinuousClock.Instant
    }

    private let maximumAge: Duration
    private let latest = Locked<Reading?>(nil)
    private let reading: OneAtATime<String?>

    /// `store`: a store of its own (on SQLite a second connection; on PostgreSQL the pool gives
    /// one); nil text when it fails.
    init(store: AccountStore, window: ActivationWindow, pool: NIOThreadPool, maximumAge: Duration) {
        self.maximumAge = maximumAge
        let latest = self.latest
        reading = OneAtATime {
            let text = try? await pool.runIfActive { try AccountStatistics.read(from: store, since: nil, window: window).prometheusText }
            latest.withLock { $0 = Reading(text: text, at: .now) }
            return text
        }
    }

    /// The statistics in Prometheus' text format, at most `maximumAge` old; nil: the store failed.
    func text() async -> String? {
        if let recent = latest.withLock({ $0 }), let text = recent.text, ContinuousClock.now - recent.at <= maximumAge {
            return text
        }
        return await reading.value()
    }
}
