import Foundation

/// Django's `urlsafe_base64_encode(force_bytes(pk))`: the decimal primary key, url-safe base64, no padding.
public enum UIDCodec {
    public static func encode(_ id: Int64) -> String {
        precondition(id > 0, "user ids are positive")
        return Data(String(id).utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The id inside `uid`, or nil when `uid` is anything but the canonical encoding of a
    /// positive 64-bit decimal. Never traps, whatever the input.
    public static func decode(_ uid: String) -> Int64? {
        // str(2**63 - 1) is 19 digits, which is 26 base64 characters; anything longer is not an id.
        let bytes = Array(uid.utf8)
        guard !bytes.isEmpty, bytes.count <= 26, bytes.count % 4 != 1 else { return nil }
        guard bytes.allSatisfy(isURLSafeBase64) else { return nil }
        var standard = String(decoding: bytes, as: UTF8.self)
            .replacingOccurrences(of: "-", with: "+")
            .replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - bytes.count % 4) % 4)
        guard let data = Data(base64Encoded: standard) else { return nil }
        let digits = Array(data)
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              digits.first != UInt8(ascii: "0"),
              let id = Int64(String(decoding: digits, as: UTF8.self)), id > 0 else { return nil }
        // Reject encodings with stray low bits in the last character: only one spelling per id.
        guard encode(id) == uid else { return nil }
        return id
    }

    private static func isURLSafeBase64(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }
}
