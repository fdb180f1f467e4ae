/// A reader for the one kind of JSON an export holds: a flat object per line whose values are
/// strings, whole numbers, booleans or null. Strict (anything else is an error, with where), and
/// fast enough for a million lines a few seconds, which a general JSON decoder is not: the
/// fields come back as an array in the line's order (no hashing), strings are checked for UTF-8
/// only when they hold a byte outside ASCII.
enum FlatJSON {
    enum Value: Equatable {
        case string(String)
        case int(Int64)
        case bool(Bool)
        case null
    }

    struct Field {
        let key: String
        let value: Value
    }

    /// More than any table has; a bound on the duplicate-key check, which compares every pair.
    static let maximumFields = 32

    struct SyntaxError: Error {
        let offset: Int
        let reason: String
    }

    static func parse(_ line: UnsafeBufferPointer<UInt8>) throws(SyntaxError) -> [Field] {
        var parser = Parser(bytes: line)
        return try parser.object()
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        mutating func object() throws(SyntaxError) -> [Field] {
            var fields: [Field] = []
            fields.reserveCapacity(16)
            skipSpace()
            try expect(UInt8(ascii: "{"))
            skipSpace()
            if peek == UInt8(ascii: "}") {
                index += 1
                return try end(fields)
            }
            while true {
                skipSpace()
                let keyOffset = index
                let key = try string()
                guard !fields.contains(where: { $0.key == key }) else { throw SyntaxError(offset: keyOffset, reason: "key \"\(key)\" twice") }
                guard fields.count < maximumFields else { throw SyntaxError(offset: keyOffset, reason: "more than \(maximumFields) keys") }
                skipSpace()
                try expect(UInt8(ascii: ":"))
                skipSpace()
                fields.append(Field(key: key, value: try value()))
                skipSpace()
                if peek == UInt8(ascii: ",") { index += 1; continue }
                try expect(UInt8(ascii: "}"))
                return try end(fields)
            }
        }

        private mutating func end(_ fields: [Field]) throws(SyntaxError) -> [Field] {
            skipSpace()
            guard index == bytes.count else { throw SyntaxError(offset: index, reason: "text after the object") }
            return fields
        }

        private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        private mutating func skipSpace() {
            while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A { index += 1 }
        }

        private mutating func expect(_ byte: UInt8) throws(SyntaxError) {
            guard peek == byte else { throw SyntaxError(offset: index, reason: "expected '\(Character(Unicode.Scalar(byte)))'") }
            index += 1
        }

        private mutating func value() throws(SyntaxError) -> Value {
            switch peek ?? 0 {
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try word("true"); return .bool(true)
            case UInt8(ascii: "f"): try word("false"); return .bool(false)
            case UInt8(ascii: "n"): try word("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .int(try integer())
            default: throw SyntaxError(offset: index, reason: "expected a string, a whole number, true, false or null")
            }
        }

        private mutating func word(_ text: StaticString) throws(SyntaxError) {
            let count = text.utf8CodeUnitCount
            guard index + count <= bytes.count,
                  (0..<count).allSatisfy({ bytes[index + $0] == text.utf8Start[$0] }) else {
                throw SyntaxError(offset: index, reason: "expected \(text)")
            }
            index += count
        }

        private mutating func integer() throws(SyntaxError) -> Int64 {
            let start = index
            let negative = peek == UInt8(ascii: "-")
            if negative { index += 1 }
            var value: Int64 = 0
            var digits = 0
            while let byte = peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
                guard !overflow1, !overflow2 else { throw SyntaxError(offset: start, reason: "number out of range") }
                value = sum
                digits += 1
                index += 1
            }
            guard digits > 0 else { throw SyntaxError(offset: start, reason: "expected a number") }
            if let byte = peek, byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                throw SyntaxError(offset: start, reason: "expected a whole number")
            }
            return negative ? -value : value
        }

        private mutating func string() throws(SyntaxError) -> String {
            try expect(UInt8(ascii: "\""))
            let start = index
            // Nearly every string has no escape: one copy of its bytes.
            while let byte = peek, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), byte >= 0x20 { index += 1 }
            if peek == UInt8(ascii: "\"") {
                let text = try utf8(UnsafeBufferPointer(rebasing: bytes[start..<index]), at: start)
                index += 1
                return text
            }
            var buffer = Array(bytes[start..<index])
            while true {
                guard let byte = peek else { throw SyntaxError(offset: index, reason: "unterminated string") }
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return try buffer.withUnsafeBufferPointer { (text) throws(SyntaxError) -> String in try utf8(text, at: start) }
                case UInt8(ascii: "\\"):
                    guard let escaped = peek else { throw SyntaxError(offset: index, reason: "unterminated string") }
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(escaped)
                    case UInt8(ascii: "b"): buffer.append(0x08)
                    case UInt8(ascii: "f"): buffer.append(0x0C)
                    case UInt8(ascii: "n"): buffer.append(0x0A)
                    case UInt8(ascii: "r"): buffer.append(0x0D)
                    case UInt8(ascii: "t"): buffer.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xD800...0xDBFF).contains(scalar) {
                            try expect(UInt8(ascii: "\\"))
                            try expect(UInt8(ascii: "u"))
                            let low = try hex4()
                            guard (0xDC00...0xDFFF).contains(low) else { throw SyntaxError(offset: index, reason: "unpaired surrogate") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let value = Unicode.Scalar(scalar) else { throw SyntaxError(offset: index, reason: "unpaired surrogate") }
                        buffer.append(contentsOf: Array(String(Character(value)).utf8))
                    default: throw SyntaxError(offset: index - 1, reason: "unknown escape")
                    }
                case 0..<0x20: throw SyntaxError(offset: index - 1, reason: "control character in a string")
                default: buffer.append(byte)
                }
            }
        }

        private mutating func hex4() throws(SyntaxError) -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let byte = peek else { throw SyntaxError(offset: index, reason: "short \\u escape") }
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw SyntaxError(offset: index, reason: "bad \\u escape")
                }
                value = value << 4 | digit
                index += 1
            }
            return value
        }

        private func utf8(_ text: UnsafeBufferPointer<UInt8>, at offset: Int) throws(SyntaxError) -> String {
            // ASCII is valid UTF-8 as it is; String(validating:) is generic and costs more than
            // the rest of the line together.
            if text.allSatisfy({ $0 < 0x80 }) { return String(decoding: text, as: UTF8.self) }
            guard let string = String(validating: text, as: UTF8.self) else { throw SyntaxError(offset: offset, reason: "invalid UTF-8") }
            return string
        }
    }
}
