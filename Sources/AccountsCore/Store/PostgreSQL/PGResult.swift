import CLibPQ

/// A result of one statement (or one row of a streamed one), rows in binary format. Values are
/// decoded here and only here, by the column's type, each checked: rows may be written by other
/// programs, so a NULL or a type where none belongs is reported as a damaged row, never trusted.
final class PGResult {
    let handle: OpaquePointer
    /// The table messages name for a damaged value.
    let table: String

    init(_ handle: OpaquePointer, table: String) {
        self.handle = handle
        self.table = table
    }

    deinit { PQclear(handle) }

    var count: Int { Int(PQntuples(handle)) }

    /// Rows changed by an INSERT, UPDATE or DELETE.
    var affected: Int { Int(String(cString: PQcmdTuples(handle))) ?? 0 }

    /// The position of `name`, or nil.
    func column(_ name: String) -> Int? {
        let index = Int(PQfnumber(handle, name))
        return index < 0 ? nil : index
    }

    func columnNames() -> [String] {
        (0..<Int(PQnfields(handle))).map { String(cString: PQfname(handle, Int32($0))) }
    }

    func row(_ index: Int) -> PGRow { PGRow(result: self, index: Int32(index)) }
}

/// One row of a `PGResult`, read by column position (from `offset`: the columns of a record
/// after others) or by name.
struct PGRow {
    let result: PGResult
    let index: Int32
    var offset = 0

    private var handle: OpaquePointer { result.handle }

    private func field(_ column: Int) -> Int32 { Int32(column + offset) }

    func isNull(_ column: Int) -> Bool { PQgetisnull(handle, index, field(column)) == 1 }

    private func type(_ column: Int) -> PGParameter.PGType? { PGParameter.PGType(rawValue: PQftype(handle, field(column))) }

    private func bytes(_ column: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: PQgetvalue(handle, index, field(column)), count: Int(PQgetlength(handle, index, field(column))))
    }

    private func name(_ column: Int) -> String { String(cString: PQfname(handle, field(column))) }

    func text(_ column: Int) throws -> String? {
        if isNull(column) { return nil }
        switch type(column) {
        case .text, .varchar: return String(decoding: bytes(column), as: UTF8.self)
        default:
            // bpchar and name, in a table made by hand, are text as well.
            if [1042, 19].contains(PQftype(handle, field(column))) { return String(decoding: bytes(column), as: UTF8.self) }
            throw damaged(column, holding: "a value of another type")
        }
    }

    func integer(_ column: Int) throws -> Int64? {
        if isNull(column) { return nil }
        let raw = bytes(column)
        switch (type(column), raw.count) {
        case (.int8, 8): return Int64(bigEndian: raw.loadUnaligned(as: Int64.self))
        case (.int4, 4): return Int64(Int32(bigEndian: raw.loadUnaligned(as: Int32.self)))
        case (.int2, 2): return Int64(Int16(bigEndian: raw.loadUnaligned(as: Int16.self)))
        default: throw damaged(column, holding: "a value that is not a whole number")
        }
    }

    func bool(_ column: Int) throws -> Bool? {
        if isNull(column) { return nil }
        if type(column) == .bool, bytes(column).count == 1 { return bytes(column)[0] != 0 }
        guard let number = try? integer(column), number == 0 || number == 1 else {
            throw damaged(column, holding: "a value that is not a boolean")
        }
        return number == 1
    }

    func date(_ column: Int) throws -> UTCDateTime? {
        if isNull(column) { return nil }
        let raw = bytes(column)
        guard type(column) == .timestamptz, raw.count == 8 else { throw damaged(column, holding: "a value that is not a timestamp with time zone") }
        guard let instant = PGTime.instant(Int64(bigEndian: raw.loadUnaligned(as: Int64.self))) else {
            throw damaged(column, holding: "infinity")
        }
        return instant
    }

    // By name, for the statements that are not read a million times.

    func text(_ name: String) throws -> String? { try text(position(name)) }
    func integer(_ name: String) throws -> Int64? { try integer(position(name)) }
    func date(_ name: String) throws -> UTCDateTime? { try date(position(name)) }

    func required<T>(_ value: T?, _ name: String) throws -> T {
        guard let value else { throw damaged(try position(name), holding: "NULL") }
        return value
    }

    func position(_ name: String) throws -> Int {
        guard let column = result.column(name) else {
            throw AccountsError(.unavailable, "the \(result.table) table has no \(name) column")
        }
        return column - offset
    }

    func damaged(_ column: Int, holding kind: String) -> AccountsError {
        let id = result.column("id").map { $0 - offset }.flatMap { isNull($0) ? nil : try? integer($0) }.map(String.init) ?? "?"
        return AccountsError(.badData, "\(result.table) row \(id): \(name(column)) holds \(kind), which is not valid there (was the row written by another program?)")
    }
}
