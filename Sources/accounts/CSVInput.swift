import AccountsCore
import CSV
import Foundation

/// Reads a registration file with CSV.swift: a header row naming `user_id` and `email` (and
/// optionally `level`, `department`, in any order), then one account per row.
enum CSVInput {
    static let columns = ["user_id", "email", "level", "department"]

    /// `path` "-" is standard input. Each row keeps the line it starts on, for error messages.
    static func rows(path: String) throws -> [BulkRow] {
        let name = path == "-" ? "standard input" : path
        // Read whole, then parse from the string: CSV.swift's stream reader reports a read error
        // at the end of a file with Foundation on Linux.
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else { throw AccountsError(.noInput, "cannot read \(name)") }
            data = contents
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw AccountsError(.badData, "\(name) is not UTF-8 text (save it as CSV UTF-8)")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() } // the byte order mark spreadsheets write
        guard !text.isEmpty else {
            throw AccountsError(.badData, "\(name) is empty: it needs a header row (user_id,email[,level,department])")
        }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: true)
        } catch {
            throw AccountsError(.badData, "\(name): line 1: not a CSV header row (\(error))")
        }
        guard let header = reader.headerRow else {
            throw AccountsError(.badData, "\(name) is empty: it needs a header row (user_id,email[,level,department])")
        }
        let names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        for column in names where !columns.contains(column) {
            throw AccountsError(.badData, "\(name): line 1: unknown column '\(printable(column))' (the columns are \(columns.joined(separator: ", ")))")
        }
        guard Set(names).count == names.count else {
            throw AccountsError(.badData, "\(name): line 1: a column is named twice")
        }
        guard let userIDColumn = names.firstIndex(of: "user_id"), let emailColumn = names.firstIndex(of: "email") else {
            throw AccountsError(.badData, "\(name): line 1: the header must name user_id and email (got: \(printable(header.joined(separator: ","))))")
        }
        let levelColumn = names.firstIndex(of: "level")
        let departmentColumn = names.firstIndex(of: "department")

        var rows: [BulkRow] = []
        var line = 2 + header.reduce(0) { $0 + newlines($1) }
        while let fields = reader.next() {
            defer { line += 1 + fields.reduce(0) { $0 + newlines($1) } }
            if fields.count == 1 && fields[0].isEmpty { continue } // a blank line
            guard fields.count == names.count else {
                throw AccountsError(.badData, "\(name): line \(line): \(fields.count) fields, but the header has \(names.count)")
            }
            func optional(_ index: Int?) -> String? { index.map { fields[$0] }.flatMap { $0.isEmpty ? nil : $0 } }
            rows.append(BulkRow(line: line, userID: fields[userIDColumn], email: fields[emailColumn],
                                level: optional(levelColumn), department: optional(departmentColumn)))
        }
        if let error = reader.error {
            throw AccountsError(.badData, "\(name): line \(line): not valid CSV (\(error))")
        }
        return rows
    }

    private static func newlines(_ field: String) -> Int {
        field.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }
}
