/// Moving between stores (docs/postgresql.md): export and import. (Errors: `AccountStore`.)
public protocol TransferStore: Sendable {
    /// Calls `body` with every row of every table as stored, each table in id order, in the
    /// order of `TransferRecord`, then the sequences; from one snapshot.
    func exportAll(_ body: (TransferRecord) throws -> Void) throws

    /// Loads what `records` hands its argument (as `exportAll` gives it) in one transaction, all
    /// or nothing: refused (`.cannotCreate`) unless the database is empty or `append`; a row whose
    /// id (or user_id, or email) is taken is refused (`.badData`). Every id sequence ends past the
    /// largest id and the exported mark, and is never moved back.
    func importAll(append: Bool, _ records: (_ each: (TransferRecord) throws -> Void) throws -> Void) throws -> TransferCounts
}
