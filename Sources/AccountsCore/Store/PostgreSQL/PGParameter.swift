/// A value bound to a `$n` placeholder. Numbers, booleans and datetimes go in binary with their
/// type, so that the server reads exactly what was meant, whatever the session's DateStyle or
/// TimeZone (a pooled connection's settings belong to whoever used it last).
enum PGParameter: Sendable {
    case text(String)
    case int8(Int64)
    case bool(Bool)
    case timestamptz(UTCDateTime)
    /// An array of text (`text[]`), for `unnest` and `= ANY`.
    case textArray([String?])
    case int8Array([Int64])
    case timestamptzArray([UTCDateTime?])
    case null(PGType)

    /// Type OIDs (pg_type.oid; fixed for built-in types).
    enum PGType: UInt32, Sendable {
        case bool = 16, int8 = 20, int2 = 21, int4 = 23, text = 25, varchar = 1043
        case timestamp = 1114, timestamptz = 1184
        case textArray = 1009, int8Array = 1016, timestamptzArray = 1185
    }

    var type: PGType {
        switch self {
        case .text: .text
        case .int8: .int8
        case .bool: .bool
        case .timestamptz: .timestamptz
        case .textArray: .textArray
        case .int8Array: .int8Array
        case .timestamptzArray: .timestamptzArray
        case .null(let type): type
        }
    }

    /// The bytes sent, and whether they are binary; nil for SQL NULL.
    var encoded: (bytes: [UInt8], binary: Bool)? {
        switch self {
        case .text(let value): (Array(value.utf8), false)
        case .int8(let value): (Self.bigEndian(value), true)
        case .bool(let value): ([value ? 1 : 0], true)
        case .timestamptz(let value): (Self.bigEndian(PGTime.microseconds(value)), true)
        case .textArray(let values): (Self.arrayLiteral(values), false)
        case .int8Array(let values): (Self.arrayLiteral(values.map { String($0) }), false)
        case .timestamptzArray(let values): (Self.arrayLiteral(values.map { $0.map { $0.storageText + "+00" } }), false)
        case .null: nil
        }
    }

    private static func bigEndian(_ value: Int64) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    /// `{"a","b",NULL}`: every element quoted, `"` and `\` escaped (the array input syntax).
    private static func arrayLiteral(_ values: [String?]) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        bytes.reserveCapacity(values.count * 24)
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            guard let value else {
                bytes.append(contentsOf: "NULL".utf8)
                continue
            }
            bytes.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }
}

extension Optional where Wrapped == String {
    var pg: PGParameter { map(PGParameter.text) ?? .null(.text) }
}

extension Optional where Wrapped == UTCDateTime {
    var pg: PGParameter { map(PGParameter.timestamptz) ?? .null(.timestamptz) }
}

extension Optional where Wrapped == Int64 {
    var pg: PGParameter { map(PGParameter.int8) ?? .null(.int8) }
}

/// PostgreSQL's binary datetime: microseconds since 2000-01-01 00:00:00 UTC.
enum PGTime {
    static let epochOffset: Int64 = 946_684_800

    static func microseconds(_ instant: UTCDateTime) -> Int64 {
        (instant.epochSeconds - epochOffset) * 1_000_000 + Int64(instant.microseconds)
    }

    /// nil for ±infinity, which no account date can be.
    static func instant(_ microseconds: Int64) -> UTCDateTime? {
        guard microseconds != .max, microseconds != .min else { return nil }
        let (seconds, remainder) = microseconds.quotientAndRemainder(dividingBy: 1_000_000)
        let adjust = remainder < 0 ? Int64(1) : 0
        return UTCDateTime(epochSeconds: seconds - adjust + epochOffset, microseconds: Int32(remainder + adjust * 1_000_000))
    }
}
