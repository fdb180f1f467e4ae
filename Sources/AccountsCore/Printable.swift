/// `text` made safe for a one-line message: control characters shown as escapes, long text cut.
public func printable(_ text: String, limit: Int = 80) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
        if result.unicodeScalars.count >= limit {
            result += "…"
            break
        }
        if scalar.properties.generalCategory == .control || scalar == "\u{2028}" || scalar == "\u{2029}" {
            result += scalar.escaped(asASCII: true)
        } else {
            result.unicodeScalars.append(scalar)
        }
    }
    return result
}
