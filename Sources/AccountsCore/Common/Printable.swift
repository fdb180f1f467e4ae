/// `text` made safe for a one-line message or a terminal: control characters (escape sequences,
/// line breaks), line and paragraph separators and bidirectional overrides shown as escapes, so
/// that stored data cannot clear a screen, forge a line or reorder one; long text cut.
public func printable(_ text: String, limit: Int = 80) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
        if result.unicodeScalars.count >= limit {
            result += "…"
            break
        }
        if scalar.properties.generalCategory == .control || (0x2028...0x2029).contains(scalar.value)
            || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value) {
            result += scalar.escaped(asASCII: true)
        } else {
            result.unicodeScalars.append(scalar)
        }
    }
    return result
}
