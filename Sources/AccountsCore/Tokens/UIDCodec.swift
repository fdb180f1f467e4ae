/// Django's `urlsafe_base64_encode(force_bytes(pk))`: the decimal primary key, url-safe base64, no padding.
/// Done on bytes by hand (base64 is an encoding, not crypto): links are made and read in bulk.
public enum UIDCodec {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode(_ id: Int64) -> String {
        precondition(id > 0, "user ids are positive")
        // str(id): at most 19 digits, so at most 26 base64 characters.
        var encoded: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        return Digits.withDigits(of: UInt64(id), radix: 10) { input in
            withUnsafeMutableBytes(of: &encoded) { out in
                var count = 0
                var index = 0
                while index < input.count {
                    let chunk = min(3, input.count - index)
                    var group = UInt32(input[index]) << 16
                    if chunk > 1 { group |= UInt32(input[index + 1]) << 8 }
                    if chunk > 2 { group |= UInt32(input[index + 2]) }
                    for position in 0...chunk {
                        out[count] = alphabet[Int((group >> (18 - 6 * UInt32(position))) & 63)]
                        count += 1
                    }
                    index += 3
                }
                return String(decoding: UnsafeRawBufferPointer(rebasing: out[..<count]), as: UTF8.self)
            }
        }
    }

    /// The id inside `uid`, or nil when `uid` is anything but the canonical encoding of a
    /// positive 64-bit decimal. Never traps, whatever the input.
    public static func decode(_ uid: String) -> Int64? {
        // str(2**63 - 1) is 19 digits, which is 26 base64 characters; anything longer is not an id.
        let bytes = uid.utf8
        guard !bytes.isEmpty, bytes.count <= 26, bytes.count % 4 != 1 else { return nil }
        var value: Int64 = 0
        var bits: UInt32 = 0
        var bitCount = 0
        var digitCount = 0
        for byte in bytes {
            guard let sextet = sextet(byte) else { return nil }
            bits = bits << 6 | UInt32(sextet)
            bitCount += 6
            if bitCount >= 8 {
                bitCount -= 8
                let digit = UInt8(truncatingIfNeeded: bits >> UInt32(bitCount))
                bits &= (1 << UInt32(bitCount)) - 1
                guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9"),
                      digitCount > 0 || digit != UInt8(ascii: "0") else { return nil }
                let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = shifted.addingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
                guard !overflow1, !overflow2 else { return nil }
                value = sum
                digitCount += 1
            }
        }
        // Leftover bits must be zero: only one spelling per id.
        guard bits == 0, digitCount > 0 else { return nil }
        return value
    }

    private static func sextet(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }
}
