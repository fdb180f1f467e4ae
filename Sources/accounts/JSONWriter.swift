/// Writes JSON objects field by field, in a fixed order, so output can be streamed row by row.
enum JSONWriter {
    enum Value {
        case string(String)
        case int(Int64)
        case bool(Bool)
        case null
    }

    static func object(_ fields: [(String, Value)]) -> String {
        var text = "{"
        for (index, (name, value)) in fields.enumerated() {
            if index > 0 { text += "," }
            text += quote(name) + ":" + render(value)
        }
        return text + "}"
    }

    static func render(_ value: Value) -> String {
        switch value {
        case .string(let string): quote(string)
        case .int(let number): String(number)
        case .bool(let flag): flag ? "true" : "false"
        case .null: "null"
        }
    }

    static func quote(_ string: String) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{2028}": result += "\\u2028"
            case "\u{2029}": result += "\\u2029"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
