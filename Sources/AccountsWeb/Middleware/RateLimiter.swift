import AccountsCore
import Foundation
import Synchronization

/// A token bucket per client for POSTs: `burst` at once, refilled at `burst` a minute. A client
/// is an IPv4 address, or an IPv6 network of `ipv6Prefix` bits (`AddressRange.bucket`). Guessing
/// links costs more than the mail scanners and people it never bothers.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    private let burst: Double
    private let perSecond: Double
    private let ipv6Prefix: Int
    private let buckets = Mutex<[String: Bucket]>([:])
    /// Past this many clients, full buckets are forgotten (they are as good as new ones).
    private let pruneAbove = 10_000

    init(perMinute: Int, ipv6Prefix: Int = 64) {
        burst = Double(perMinute)
        perSecond = Double(perMinute) / 60
        self.ipv6Prefix = ipv6Prefix
    }

    /// nil when `address` may go ahead (and one token is taken), else the seconds to wait.
    func take(_ address: String, now: Double = Date().timeIntervalSince1970) -> Int64? {
        let client = AddressRange.bucket(of: address, ipv6Prefix: ipv6Prefix)
        return buckets.withLock { buckets in
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
