#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A UTC instant with microsecond precision, in the text form Django's SQLite backend stores
/// with USE_TZ = True: `YYYY-MM-DD HH:MM:SS.ffffff`.
public struct UTCDateTime: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Whole seconds since 1970-01-01 00:00 UTC.
    public let epochSeconds: Int64
    /// 0 ..< 1_000_000
    public let microseconds: Int32

    public init(epochSeconds: Int64, microseconds: Int32 = 0) {
        precondition((0..<1_000_000).contains(microseconds))
        self.epochSeconds = epochSeconds
        self.microseconds = microseconds
    }

    public init(_ date: Date) {
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded(.down)
        let seconds = (micros / 1_000_000).rounded(.down)
        self.init(epochSeconds: Int64(seconds), microseconds: Int32(micros - seconds * 1_000_000))
    }

    public static func now() -> UTCDateTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UTCDateTime(epochSeconds: Int64(spec.tv_sec), microseconds: Int32(spec.tv_nsec / 1000))
    }

    public var date: Date {
        Date(timeIntervalSince1970: Double(epochSeconds) + Double(microseconds) / 1_000_000)
    }

    public func adding(seconds: Int64) -> UTCDateTime {
        UTCDateTime(epochSeconds: epochSeconds + seconds, microseconds: microseconds)
    }

    /// `YYYY-MM-DD HH:MM:SS.ffffff`, the stored form.
    public var storageText: String { wholeSecondsText + "." + pad(Int(microseconds), 6) }

    /// `YYYY-MM-DD HH:MM:SS`: what Django's token hash uses for last_login (microseconds dropped).
    public var wholeSecondsText: String {
        let c = components
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2)) \(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))"
    }

    /// RFC 3339 with microseconds and `Z`, for JSON output.
    public var iso8601: String {
        let c = components
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2)).\(pad(Int(microseconds), 6))Z"
    }

    public var description: String { storageText }

    /// Parses what Django or this tool stored: `YYYY-MM-DD HH:MM:SS` with an optional fraction of
    /// up to six digits (Django omits it when the microseconds are zero), `T` allowed as separator.
    public init?(storageText text: String) {
        let b = Array(text.utf8)
        guard b.count >= 19, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              b[10] == UInt8(ascii: " ") || b[10] == UInt8(ascii: "T"),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              let year = Self.number(b[0..<4]), let month = Self.number(b[5..<7]), let day = Self.number(b[8..<10]),
              let hour = Self.number(b[11..<13]), let minute = Self.number(b[14..<16]), let second = Self.number(b[17..<19]),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        var micros = 0
        if b.count > 19 {
            let fraction = b[20...]
            guard b[19] == UInt8(ascii: "."), (1...6).contains(fraction.count), let value = Self.number(fraction) else { return nil }
            micros = value * Self.powersOfTen[6 - fraction.count]
        }
        var t = tm()
        t.tm_year = Int32(year - 1900)
        t.tm_mon = Int32(month - 1)
        t.tm_mday = Int32(day)
        t.tm_hour = Int32(hour)
        t.tm_min = Int32(minute)
        t.tm_sec = Int32(second)
        let seconds = timegm(&t)
        self.init(epochSeconds: Int64(seconds), microseconds: Int32(micros))
        // timegm normalises 2026-02-31 into March; refuse dates that do not exist.
        guard components.day == day, components.month == month else { return nil }
    }

    public static func < (lhs: UTCDateTime, rhs: UTCDateTime) -> Bool {
        (lhs.epochSeconds, lhs.microseconds) < (rhs.epochSeconds, rhs.microseconds)
    }

    private static let powersOfTen = [1, 10, 100, 1000, 10000, 100000, 1000000]

    private static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private var components: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        var time = time_t(epochSeconds)
        var t = tm()
        gmtime_r(&time, &t)
        return (Int(t.tm_year) + 1900, Int(t.tm_mon) + 1, Int(t.tm_mday), Int(t.tm_hour), Int(t.tm_min), Int(t.tm_sec))
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
