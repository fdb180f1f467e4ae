import Foundation

/// The clock Django's tokens count in: whole seconds since 2001-01-01 00:00 on the wall clock of
/// TIME_ZONE (`PasswordResetTokenGenerator._num_seconds(datetime.now())`, a naive local time).
///
/// It is not monotonic: when the clocks go back it shows an hour twice, and when they go forward
/// it skips one. Everything that turns token time into real time (when a link expires, which
/// accounts purge may delete, whether a token comes from the future) goes through the two
/// questions below, which answer exactly across such transitions.
public struct TokenClock: Sendable {
    public let timeZone: TimeZone
    private let offsets: ZoneOffsets

    /// 2001-01-01 00:00:00 UTC in Unix time.
    static let epoch: Int64 = 978_307_200
    /// Transitions further apart than this from the instant asked about cannot matter: no zone
    /// has ever shifted its clock by more than a day at once.
    private static let reach: Int64 = 2 * 86_400

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        self.offsets = ZoneOffsets(timeZone)
    }

    /// The token timestamp of `instant`.
    public func timestamp(at instant: UTCDateTime) -> Int64 {
        instant.epochSeconds + offsets.offset(at: instant.epochSeconds) - Self.epoch
    }

    /// The earliest whole second at which the clock shows `timestamp` or more. Every earlier
    /// instant shows less (even around a transition), which is what makes it a safe cut-off.
    public func earliestInstant(reaching timestamp: Int64) -> UTCDateTime {
        let wall = timestamp + Self.epoch
        let guess = wall - offset(at: wall)
        for (start, end, offset) in segments(from: guess - Self.reach, to: guess + Self.reach) {
            let candidate = max(start, wall - offset)
            if candidate < end { return UTCDateTime(epochSeconds: candidate) }
        }
        return UTCDateTime(epochSeconds: guess)
    }

    /// The highest timestamp the clock showed at any instant up to `instant`: in the hour after
    /// the clocks went back, that is the last second before they did.
    public func highestTimestamp(upTo instant: UTCDateTime) -> Int64 {
        let end = instant.epochSeconds
        var highest = timestamp(at: instant)
        for (_, segmentEnd, offset) in segments(from: end - Self.reach, to: end) where segmentEnd <= end {
            highest = max(highest, segmentEnd - 1 + offset - Self.epoch)
        }
        return highest
    }

    private func offset(at seconds: Int64) -> Int64 {
        Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds))))
    }

    /// [start, end) intervals of constant offset covering [from, to], in order.
    private func segments(from: Int64, to: Int64) -> [(start: Int64, end: Int64, offset: Int64)] {
        var result: [(Int64, Int64, Int64)] = []
        var start = from
        while start <= to {
            let next = timeZone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: Double(start)))
                .map { Int64($0.timeIntervalSince1970.rounded(.down)) }
            let end = next.map { min($0, to + 1) } ?? to + 1
            result.append((start, max(end, start + 1), offset(at: start)))
            start = max(end, start + 1)
        }
        return result
    }
}
