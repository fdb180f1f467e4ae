import AccountsCore

/// Streams rows as a table, a JSON array of objects or CSV with a header, one row at a time,
/// so memory stays flat however many rows there are.
struct RowWriter {
    /// A column: its key in json and csv, and its heading and width in the table (nil: not shown there).
    struct Column {
        let key: String
        let heading: String?
        let width: Int

        init(_ key: String, table heading: String? = nil, width: Int = 0) {
            self.key = key
            self.heading = heading
            self.width = width
        }
    }

    enum Field {
        case text(String?)
        case int(Int64?)
        case bool(Bool)
        /// RFC 3339 in json and csv; to the minute in the table.
        case date(UTCDateTime?)
    }

    let format: ListFormat
    let output: Output
    let columns: [Column]
    private var count = 0

    init(format: ListFormat, output: Output, columns: [Column]) {
        self.format = format
        self.output = output
        self.columns = columns
    }

    mutating func begin() {
        switch format {
        case .table: output.line(tableLine(columns.compactMap(\.heading)))
        case .json: output.write("[")
        case .csv: output.line(columns.map(\.key).joined(separator: ","))
        }
    }

    /// One value for each column, in order.
    mutating func row(_ fields: [Field]) {
        precondition(fields.count == columns.count, "one field per column")
        defer { count += 1 }
        switch format {
        case .table:
            output.line(tableLine(zip(columns, fields).compactMap { column, field in
                column.heading == nil ? nil : Self.tableText(field)
            }))
        case .json:
            output.write(count == 0 ? "\n" : ",\n")
            output.write(JSONWriter.object(zip(columns, fields).map { ($0.key, Self.jsonValue($1)) }))
        case .csv:
            output.line(fields.map { Self.csvField(Self.csvText($0)) }.joined(separator: ","))
        }
    }

    mutating func end() {
        if format == .json { output.line(count == 0 ? "]" : "\n]") }
    }

    private static func tableText(_ field: Field) -> String {
        switch field {
        case .date(let value): value.map { String($0.wholeSecondsText.prefix(16)) } ?? ""
        default: csvText(field)
        }
    }

    private static func csvText(_ field: Field) -> String {
        switch field {
        case .text(let value): value ?? ""
        case .int(let value): value.map { String($0) } ?? ""
        case .bool(let value): value ? "1" : "0"
        case .date(let value): value?.iso8601 ?? ""
        }
    }

    private static func jsonValue(_ field: Field) -> JSONWriter.Value {
        switch field {
        case .text(let value): value.map { .string($0) } ?? .null
        case .int(let value): value.map { .int($0) } ?? .null
        case .bool(let value): .bool(value)
        case .date(let value): value.map { .string($0.iso8601) } ?? .null
        }
    }

    /// RFC 4180: quote fields holding a comma, quote or line break; double the quotes.
    private static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private func tableLine(_ cells: [String]) -> String {
        let widths = columns.filter { $0.heading != nil }.map(\.width)
        var line = ""
        for (index, cell) in cells.enumerated() {
            let fitted = DisplayWidth.fit(cell, width: widths[index])
            line += index == cells.count - 1 ? fitted.text : fitted.text + String(repeating: " ", count: widths[index] - fitted.width + 2)
        }
        while line.hasSuffix(" ") { line.removeLast() }
        return line
    }
}
