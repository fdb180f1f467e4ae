import AccountsCLI
import AccountsCore

/// Terminal column widths: East Asian wide characters (Hangul, CJK) take two columns.
enum DisplayWidth {
    static func of(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value < 0x20 || (0x7f..<0xa0).contains(value) { return 0 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        let wide: [ClosedRange<UInt32>] = [0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
                                            0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F,
                                            0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD]
        return wide.contains(where: { $0.contains(value) }) ? 2 : 1
    }

    /// `text` cut to `width` columns (ending in "…" when cut), with control characters
    /// escaped so a hostile user_id cannot rewrite the terminal, and its width.
    static func fit(_ text: String, width: Int) -> (text: String, width: Int) {
        let safe = printable(text, limit: 1000)
        var result = ""
        var used = 0
        let total = safe.unicodeScalars.reduce(0) { $0 + of($1) }
        let budget = total <= width ? width : width - 1
        for scalar in safe.unicodeScalars {
            let w = of(scalar)
            if used + w > budget { break }
            result.unicodeScalars.append(scalar)
            used += w
        }
        if total > width {
            result += "…"
            used += 1
        }
        return (result, used)
    }
}
