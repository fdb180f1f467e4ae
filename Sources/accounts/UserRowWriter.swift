import AccountsCore

/// Streams users as a table, a JSON array or CSV. Never the password column.
struct UserRowWriter {
    let format: ListFormat
    let output: Output
    private var count = 0

    init(format: ListFormat, output: Output) {
        self.format = format
        self.output = output
    }

    /// Table columns and their display widths. Fixed, because rows are streamed, not measured.
    private static let columns: [(String, Int)] = [
        ("ID", 6), ("USER_ID", 20), ("EMAIL", 30), ("STATE", 8), ("LEVEL", 5), ("DEPARTMENT", 16), ("JOINED (UTC)", 16), ("LAST MAIL (UTC)", 16),
    ]

    private static let csvHeader = ["id", "user_id", "email", "state", "is_active", "level", "department",
                                    "date_joined", "last_login", "activation_sent_at", "activated_at"]

    mutating func begin() {
        switch format {
        case .table: output.line(Self.tableLine(Self.columns.map(\.0)))
        case .json: output.write("[")
        case .csv: output.line(Self.csvHeader.joined(separator: ","))
        }
    }

    mutating func row(_ user: User, state: AccountState) {
        defer { count += 1 }
        switch format {
        case .table:
            output.line(Self.tableLine([
                String(user.id), user.userID, user.email, state.rawValue, user.level ?? "", user.department ?? "",
                Self.minutes(user.dateJoined), user.activationSentAt.map(Self.minutes) ?? "",
            ]))
        case .json:
            output.write(count == 0 ? "\n" : ",\n")
            func date(_ value: UTCDateTime?) -> JSONWriter.Value { value.map { .string($0.iso8601) } ?? .null }
            output.write(JSONWriter.object([
                ("id", .int(user.id)),
                ("user_id", .string(user.userID)),
                ("email", .string(user.email)),
                ("state", .string(state.rawValue)),
                ("is_active", .bool(user.isActive)),
                ("level", user.level.map { .string($0) } ?? .null),
                ("department", user.department.map { .string($0) } ?? .null),
                ("date_joined", .string(user.dateJoined.iso8601)),
                ("last_login", date(user.lastLogin)),
                ("activation_sent_at", date(user.activationSentAt)),
                ("activated_at", date(user.activatedAt)),
            ]))
        case .csv:
            let fields = [
                String(user.id), user.userID, user.email, state.rawValue, user.isActive ? "1" : "0", user.level ?? "",
                user.department ?? "", user.dateJoined.iso8601, user.lastLogin?.iso8601 ?? "",
                user.activationSentAt?.iso8601 ?? "", user.activatedAt?.iso8601 ?? "",
            ]
            output.line(fields.map(Self.csvField).joined(separator: ","))
        }
    }

    mutating func end() {
        switch format {
        case .table: break
        case .json: output.line(count == 0 ? "]" : "\n]")
        case .csv: break
        }
    }

    private static func minutes(_ instant: UTCDateTime) -> String {
        String(instant.wholeSecondsText.prefix(16))
    }

    /// RFC 4180: quote fields holding a comma, quote or line break; double the quotes.
    private static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func tableLine(_ cells: [String]) -> String {
        var line = ""
        for (index, cell) in cells.enumerated() {
            let width = columns[index].1
            let fitted = DisplayWidth.fit(cell, width: width)
            line += index == cells.count - 1 ? fitted.text : fitted.text + String(repeating: " ", count: width - fitted.width + 2)
        }
        while line.hasSuffix(" ") { line.removeLast() }
        return line
    }
}

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
