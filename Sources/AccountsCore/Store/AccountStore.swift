
/// Everything the workflows need from storage. All SQL lives behind this protocol, so another
/// store (PostgreSQL) is a new conforming type, not a change to the workflows.
///
/// Every change to an account is recorded in the audit log in the same transaction as the
/// change itself (see `AuditAction`); reads record nothing.
///
/// Errors are `AccountsError`s: a duplicate is `.badData` naming the conflict, a busy
/// database `.temporary`, an unreadable file `.ioError` or `.unavailable`.
///
/// It is split by aggregate, a protocol each (UserStore, OutboxStore, AuditLogStore,
/// ArchiveStore, StatisticsStore, TransferStore), so a workflow can say which part it uses and a
/// contract check which part it checks.
public protocol AccountStore: UserStore, OutboxStore, AuditLogStore, ArchiveStore, StatisticsStore, TransferStore {
    /// Where the store is, for messages: a path, or `postgresql://user@host:port/database`.
    var description: String { get }
}

extension AccountStore {
    /// The newest archived copy, not restored yet, of the account `reference` names (the newest
    /// account when one user_id was registered and purged more than once). `.noSuchUser` when
    /// there is none, `.badData` when the account is not archived but exists.
    public func latestArchive(matching reference: AccountReference) throws -> PurgedUser {
        let copies = try archivedUsers(matching: reference).filter { $0.restoredAt == nil }
        if let copy = try reference.resolve(copies, id: \.user.id, userID: \.user.userID, what: "archived account") { return copy }
        if let current = try user(matching: reference) {
            throw AccountsError(.badData, "account '\(printable(current.userID))' is not purged: it exists, with id \(current.id)")
        }
        throw AccountsError(.noSuchUser, "no purged account with \(reference)", hint: .seePurgeLog)
    }
}
