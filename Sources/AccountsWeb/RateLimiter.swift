import Foundation
import Synchronization

/// A token bucket per client address for POSTs: `burst` at once, refilled at `burst` a minute.
/// Guessing links costs more than the mail scanners and people it never bothers.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    private let burst: Double
    private let perSecond: Double
    private let buckets = Mutex<[String: Bucket]>([:])
    /// Past this many clients, full buckets are forgotten (they are as good as new ones).
    private let pruneAbove = 10_000

    init(perMinute: Int) {
        burst = Double(perMinute)
        perSecond = Double(perMinute) / 60
    }

    /// nil when `client` may go ahead (and one token is taken), else the seconds to wait.
    func take(_ client: String, now: Double = Date().timeIntervalSince1970) -> Int64? {
        buckets.withLock { buckets in
            var bucket = buckets[client] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * perSecond)
            bucket.updated = now
            defer {
                buckets[client] = bucket
                if buckets.count > pruneAbove {
                    buckets = buckets.filter { $0.value.tokens + (now - $0.value.updated) * perSecond < burst }
                }
            }
            guard bucket.tokens >= 1 else {
                return Int64(((1 - bucket.tokens) / perSecond).rounded(.up))
            }
            bucket.tokens -= 1
            return nil
        }
    }
}
