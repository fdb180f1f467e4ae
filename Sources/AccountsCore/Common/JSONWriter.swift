/// Writes JSON objects field by field, in a fixed order, so output can be streamed row by row
/// (the executable's --format json, and `export`'s lines).
public enum JSONWriter {
    public indirect enum Value: Sendable {
        case string(String)
        case int(Int64)
        case bool(Bool)
        case null
        /// Nested, for a record with parts (`show`).
        case object([(String, Value)])
        case array([Value])
    }

    public static func object(_ fields: [(String, Value)]) -> String {
        var bytes: [UInt8] = []
        appendObject(fields, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func appendObject(_ fields: [(String, Value)], to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "{"))
        for (index, (name, value)) in fields.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: ",")) }
            appendQuoted(name, to: &buffer)
            buffer.append(UInt8(ascii: ":"))
            append(value, to: &buffer)
        }
        buffer.append(UInt8(ascii: "}"))
    }

    public static func append(_ value: Value, to buffer: inout [UInt8]) {
        switch value {
        case .string(let string): appendQuoted(string, to: &buffer)
        case .int(let number): buffer.append(contentsOf: String(number).utf8)
        case .bool(let flag): buffer.append(contentsOf: (flag ? "true" : "false").utf8)
        case .null: buffer.append(contentsOf: "null".utf8)
        case .object(let fields): appendObject(fields, to: &buffer)
        case .array(let values):
            buffer.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { buffer.append(UInt8(ascii: ",")) }
                append(value, to: &buffer)
            }
            buffer.append(UInt8(ascii: "]"))
        }
    }

    /// `string` as a JSON string. Control characters, quote and backslash are escaped, and so
    /// are U+2028/U+2029, which JavaScript once treated as line ends. Text with none of them
    /// (nearly all) is copied in one go.
    public static func appendQuoted(_ string: String, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            if !bytes.contains(where: needsCare) {
                buffer.append(contentsOf: bytes)
                return
            }
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                // U+2028 and U+2029 are E2 80 A8 and E2 80 A9 in UTF-8.
                if byte == 0xE2, index + 2 < bytes.count, bytes[index + 1] == 0x80, bytes[index + 2] & 0xFE == 0xA8 {
                    buffer.append(contentsOf: (bytes[index + 2] == 0xA8 ? "\\u2028" : "\\u2029").utf8)
                    index += 3
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""): buffer.append(contentsOf: "\\\"".utf8)
                case UInt8(ascii: "\\"): buffer.append(contentsOf: "\\\\".utf8)
                case UInt8(ascii: "\n"): buffer.append(contentsOf: "\\n".utf8)
                case UInt8(ascii: "\r"): buffer.append(contentsOf: "\\r".utf8)
                case UInt8(ascii: "\t"): buffer.append(contentsOf: "\\t".utf8)
                case 0..<0x20, 0x7F:
                    let hex = Array("0123456789abcdef".utf8)
                    buffer.append(contentsOf: "\\u00".utf8)
                    buffer.append(hex[Int(byte >> 4)])
                    buffer.append(hex[Int(byte & 0x0F)])
                default: buffer.append(byte)
                }
                index += 1
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }

    private static func needsCare(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F || byte == 0xE2
    }
}
