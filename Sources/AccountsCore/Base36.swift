/// Django's `int_to_base36` / `base36_to_int`, restricted to the canonical lower-case spelling.
public enum Base36 {
    private static let digits = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)

    public static func encode(_ value: Int64) -> String {
        precondition(value >= 0, "base36 encodes non-negative integers")
        if value == 0 { return "0" }
        var remaining = value
        var chars = [UInt8]()
        while remaining > 0 {
            chars.append(digits[Int(remaining % 36)])
            remaining /= 36
        }
        return String(decoding: chars.reversed(), as: UTF8.self)
    }

    /// The value of `text`, or nil unless it is 1–13 lower-case base36 digits that fit in Int64.
    /// (Django refuses more than 13 digits too, so nothing it accepts is lost.)
    public static func decode(_ text: Substring) -> Int64? {
        let bytes = Array(text.utf8)
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
