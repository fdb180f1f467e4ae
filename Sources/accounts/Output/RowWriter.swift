import AccountsCLI
import AccountsCore
import Foundation

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
    /// CSV to a terminal shows control characters escaped, as the table does; to a file or a
    /// pipe it carries the data as stored (JSON escapes them anyway).
    private let escapesForTerminal = isatty(1) == 1
    private var count = 0
    /// `"key":` of each column, made once; and the bytes of the row being written.
    private let jsonKeys: [[UInt8]]
    private var scratch: [UInt8] = []
    /// json as JSON Lines (an object a line, no array), for output that never ends (`log --follow`).
    private let jsonLines: Bool

    init(format: ListFormat, output: Output, columns: [Column], jsonLines: Bool = false) {
        self.format = format
        self.output = output
        self.columns = columns
        self.jsonLines = jsonLines
        jsonKeys = columns.map { column in
            var key: [UInt8] = []
            JSONWriter.appendQuoted(column.key, to: &key)
            return key + [UInt8(ascii: ":")]
        }
    }

    mutating func begin() {
        switch format {
        case .table: output.line(tableLine(columns.compactMap(\.heading)))
        case .json: if !jsonLines { output.write("[") }
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
            // Straight into bytes: this is the path that streams a million rows.
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: (jsonLines ? "{" : count == 0 ? "\n{" : ",\n{").utf8)
            for (index, field) in fields.enumerated() {
                if index > 0 { scratch.append(UInt8(ascii: ",")) }
                scratch.append(contentsOf: jsonKeys[index])
                Self.appendJSON(field, to: &scratch)
            }
            scratch.append(UInt8(ascii: "}"))
            if jsonLines { scratch.append(UInt8(ascii: "\n")) }
            output.write(bytes: scratch)
        case .csv:
            output.line(fields.map { field in
                var text = Self.csvText(field)
                if case .text = field { text = Self.defusingFormula(text) }
                if escapesForTerminal { text = printable(text, limit: Int.max) }
                return Self.csvField(text)
            }.joined(separator: ","))
        }
    }

    mutating func end() {
        if format == .json, !jsonLines { output.line(count == 0 ? "]" : "\n]") }
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

    private static func appendJSON(_ field: Field, to buffer: inout [UInt8]) {
        switch field {
        case .text(let value?): JSONWriter.appendQuoted(value, to: &buffer)
        case .int(let value?): JSONWriter.append(.int(value), to: &buffer)
        case .bool(let value): JSONWriter.append(.bool(value), to: &buffer)
        case .date(let value?):
            buffer.append(UInt8(ascii: "\""))
            value.appendISO8601(to: &buffer)
            buffer.append(UInt8(ascii: "\""))
        case .text(nil), .int(nil), .date(nil): JSONWriter.append(.null, to: &buffer)
        }
    }

    /// A spreadsheet runs a cell that starts with = + - @ (or a tab or CR) as a formula: stored
    /// text such as a user_id "+1-2" or an email "=cmd|…@x" gets a leading ' (OWASP's advice on
    /// CSV injection), which spreadsheets show as text and hide.
    static func defusingFormula(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return text }
        return "'" + text
    }

    /// RFC 4180: quote fields holding a comma, quote or line break; double the quotes. (On bytes:
    /// a stored "\r\n" is one Character, and an unquoted one starts a new row.)
    static func csvField(_ text: String) -> String {
        guard text.containsAnyASCII(",\"\r\n") else { return text }
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
