/// The audit log, read and followed (every call that changes an account writes its entry in
/// the change's transaction). (Errors: `AccountStore`.)
public protocol AuditLogStore: Sendable {
    /// Calls `body` for each matching audit entry, oldest first. The entries of one purge batch
    /// (one per account) share its id.
    func forEachAuditEntry(_ query: AuditQuery, _ body: (AuditEntry) throws -> Void) throws

    /// The ids of the audit entries committed so far with an id above `id`, in order (cheap: the
    /// primary key only). With PostgreSQL an id can become visible after a larger one (ids are
    /// taken at insert, rows seen at commit); `AuditFollower` copes with that.
    func auditIDs(after id: Int64) throws -> [Int64]

    /// The largest audit entry id committed so far (0: none).
    func lastAuditID() throws -> Int64
}
