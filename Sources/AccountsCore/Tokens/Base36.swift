/// Django's `int_to_base36` / `base36_to_int`, restricted to the canonical lower-case spelling.
public enum Base36 {
    public static func encode(_ value: Int64) -> String {
        var bytes: [UInt8] = []
        append(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the digits of `value` to `buffer` (no String in between: tokens are made in bulk).
    public static func append(_ value: Int64, to buffer: inout [UInt8]) {
        precondition(value >= 0, "base36 encodes non-negative integers")
        Digits.append(UInt64(value), radix: 36, to: &buffer)
    }

    /// The value of `text`, or nil unless it is 1–13 lower-case base36 digits that fit in Int64.
    /// (Django refuses more than 13 digits too, so nothing it accepts is lost.)
    public static func decode(_ text: Substring) -> Int64? {
        decode(utf8: text.utf8)
    }

    public static func decode<Bytes: Collection<UInt8>>(utf8 bytes: Bytes) -> Int64? {
        guard !bytes.isEmpty, bytes.count <= 13 else { return nil }
        var value: Int64 = 0
        for byte in bytes {
            let digit: Int64
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): digit = Int64(byte - UInt8(ascii: "a") + 10)
            default: return nil
            }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 36)
            let (sum, overflow2) = shifted.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return nil }
            value = sum
        }
        return value
    }
}
