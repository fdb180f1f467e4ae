import Foundation
import Synchronization

/// A time zone's UTC offset, remembered from the instant it was looked up until the zone's next
/// transition. ICU's lookup is a third of what a token costs, and a site makes tokens for "now",
/// which stays inside one offset period for months. Checked against the uncached lookup across
/// the transitions of several zones in ZoneOffsetsTests.
final class ZoneOffsets: Sendable {
    let timeZone: TimeZone
    /// [from, until) in Unix seconds, and the offset that holds there.
    private let period = Mutex<(from: Int64, until: Int64, offset: Int64)?>(nil)

    init(_ timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    /// Seconds east of UTC at `seconds` (Unix time).
    func offset(at seconds: Int64) -> Int64 {
        if let known = period.withLock({ $0 }), known.from <= seconds, seconds < known.until {
            return known.offset
        }
        let date = Date(timeIntervalSince1970: Double(seconds))
        let offset = Int64(timeZone.secondsFromGMT(for: date))
        let until = timeZone.nextDaylightSavingTimeTransition(after: date).map { Int64($0.timeIntervalSince1970.rounded(.down)) }
        period.withLock { $0 = (seconds, until ?? Int64.max, offset) }
        return offset
    }
}
