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
    public var storageText: String { text(separator: " ", fraction: true, zulu: false) }

    /// `YYYY-MM-DD HH:MM:SS`: what Django's token hash uses for last_login (microseconds dropped).
    public var wholeSecondsText: String { text(separator: " ", fraction: false, zulu: false) }

    /// RFC 3339 with microseconds and `Z`, for JSON output.
    public var iso8601: String { text(separator: "T", fraction: true, zulu: true) }

    /// RFC 3339, appended to `buffer` without a String in between (list writes millions).
    public func appendISO8601(to buffer: inout [UInt8]) {
        append(to: &buffer, separator: UInt8(ascii: "T"), fraction: true, zulu: true)
    }

    /// The stored form, appended to `buffer` (import copies millions).
    func appendStorageText(to buffer: inout [UInt8]) {
        append(to: &buffer, separator: UInt8(ascii: " "), fraction: true, zulu: false)
    }

    private func text(separator: Unicode.Scalar, fraction: Bool, zulu: Bool) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(27)
        append(to: &bytes, separator: UInt8(ascii: separator), fraction: fraction, zulu: zulu)
        return String(decoding: bytes, as: UTF8.self)
    }

    private func append(to buffer: inout [UInt8], separator: UInt8, fraction: Bool, zulu: Bool) {
        let c = components
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            if value >= divisor * 10 { // a year beyond 9999: all its digits
                buffer.append(contentsOf: String(value).utf8)
                return
            }
            var rest = value
            while divisor > 0 {
                buffer.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(c.year, 4); buffer.append(UInt8(ascii: "-"))
        digits(c.month, 2); buffer.append(UInt8(ascii: "-"))
        digits(c.day, 2); buffer.append(separator)
        digits(c.hour, 2); buffer.append(UInt8(ascii: ":"))
        digits(c.minute, 2); buffer.append(UInt8(ascii: ":"))
        digits(c.second, 2)
        if fraction {
            buffer.append(UInt8(ascii: "."))
            digits(Int(microseconds), 6)
        }
        if zulu { buffer.append(UInt8(ascii: "Z")) }
    }

    public var description: String { storageText }

    /// Parses what Django or this tool stored: `YYYY-MM-DD HH:MM:SS` with an optional fraction of
    /// up to six digits (Django omits it when the microseconds are zero), `T` allowed as separator.
    public init?(storageText text: String) {
        var text = text
        guard let parsed = text.withUTF8({ UTCDateTime(storageBytes: $0) }) else { return nil }
        self = parsed
    }

    /// The same, from UTF-8 bytes.
    init?(storageBytes b: UnsafeBufferPointer<UInt8>) {
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
        // Refuse dates that do not exist (2026-02-31).
        guard day <= Self.daysInMonth(year: year, month: month) else { return nil }
        let days = Self.daysFromCivil(year: year, month: month, day: day)
        self.init(epochSeconds: days * 86_400 + Int64(hour * 3600 + minute * 60 + second), microseconds: Int32(micros))
    }

    public static func < (lhs: UTCDateTime, rhs: UTCDateTime) -> Bool {
        (lhs.epochSeconds, lhs.microseconds) < (rhs.epochSeconds, rhs.microseconds)
    }

    private static let powersOfTen = [1, 10, 100, 1000, 10000, 100000, 1000000]

    private static func number(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Int? {
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// The proleptic Gregorian calendar date and time of day, by arithmetic rather than
    /// gmtime/timegm (list converts millions): Howard Hinnant's days_from_civil and its inverse.
    private var components: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let days = epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400
        let secondOfDay = Int(epochSeconds - days * 86_400)
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        let month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        let year = Int(yearOfEra + era * 400) + (month <= 2 ? 1 : 0)
        return (year, month, day, secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60)
    }

    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = Int64((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1)
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
