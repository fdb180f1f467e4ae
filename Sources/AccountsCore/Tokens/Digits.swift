/// The digits of a non-negative integer in base 10 or 36: the one digit writer of tokens (the
/// decimal id and timestamp hashed, the base36 timestamp shown) and uids (the decimal id that is
/// base64-encoded). Written on the stack and handed over as bytes, with no String in between:
/// links are made and checked in bulk.
enum Digits {
    private static let alphabet: [UInt8] = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)

    /// Calls `body` with the digits of `value` in `radix` (2 through 36).
    static func withDigits<Result>(of value: UInt64, radix: UInt64, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        // 20 decimal digits hold UInt64.max; fewer are needed in a larger radix.
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &scratch) { raw in
            var start = raw.count
            var rest = value
            repeat {
                start -= 1
                raw[start] = alphabet[Int(rest % radix)]
                rest /= radix
            } while rest > 0
            return body(UnsafeRawBufferPointer(rebasing: raw[start...]))
        }
    }

    /// Appends the digits of `value` in `radix` to `buffer`.
    static func append(_ value: UInt64, radix: UInt64, to buffer: inout [UInt8]) {
        withDigits(of: value, radix: radix) { buffer.append(contentsOf: $0) }
    }
}
