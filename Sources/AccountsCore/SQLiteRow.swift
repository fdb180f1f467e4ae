import GRDB

/// Reading stored rows: every value read from the database is data, not a promise. Rows may be
/// written by other programs (a Django site, a hand-made fix), so a NULL or a value of the wrong
/// type is reported as a damaged row, never trusted: GRDB's subscripts would stop the process.
extension Row {
    /// The value of `column`; `.badData` naming the table, the row and the column otherwise.
    func field<Value: DatabaseValueConvertible>(_ column: String, table: String) throws -> Value {
        do {
            return try decode(Value.self, forColumn: column)
        } catch {
            let found: DatabaseValue = (try? decode(DatabaseValue.self, forColumn: column)) ?? .null
            // The kind of value, not the value: it could be a password hash.
            let kind = switch found.storage {
            case .null: "NULL"
            case .int64, .double: "a number"
            case .string: "text"
            case .blob: "binary data"
            }
            throw AccountsError(.badData, "\(table) row \(rowID): \(column) holds \(kind), which is not valid there (was the row written by another program?)")
        }
    }

    /// A datetime column (nil when NULL); text that is not a date is reported, not guessed at.
    func date(_ column: String, table: String) throws -> UTCDateTime? {
        guard let text: String = try field(column, table: table) else { return nil }
        guard let value = UTCDateTime(storageText: text) else {
            throw AccountsError(.badData, "\(table) row \(rowID): \(column) '\(printable(text))' is not a date")
        }
        return value
    }

    /// How messages name the row: its id when it has a readable one.
    private var rowID: String {
        (try? decode(Int64?.self, forColumn: "id")).flatMap { $0.map(String.init) } ?? "?"
    }
}
