/// The archive of purged and deleted accounts: the purge, restore, and look-ups.
/// (Errors and auditing: `AccountStore`.)
public protocol ArchiveStore: Sendable {
    /// Copies every never-activated user whose activation window started before `cutoff`
    /// (exactly the `.expired` state of `forEachUser`) into the `purged_users` archive, stamped
    /// with `instant`, and deletes it, in batches of `batchSize`, oldest window first: each batch
    /// is one transaction that archives, deletes and writes its audit entry (one entry standing
    /// for the batch's accounts), so other writers wait for one batch at most, and a purge stopped
    /// halfway leaves whole batches. An account that changes while a batch is chosen is re-checked
    /// and kept. Calls `progress` with the count so far after each batch. One purge at a time per
    /// database (`PurgeLease`): throws `.temporary` while another runs. Returns how many.
    func purgeExpired(cutoff: UTCDateTime, at instant: UTCDateTime, batchSize: Int, progress: (Int) -> Void) throws -> Int

    /// Puts the archived copy `archiveID` of a purged or deleted account back, with its old id and
    /// its activation window restarted at `instant`, and marks the copy restored. Throws
    /// `.badData` when its user_id or email has been taken since, `.temporary` when the copy was
    /// restored meanwhile.
    func restore(archiveID: Int64, at instant: UTCDateTime) throws -> User

    /// Archived copies of accounts (purged or deleted, restored or not) that `reference` names,
    /// newest first.
    func archivedUsers(matching reference: AccountReference) throws -> [PurgedUser]
}

extension ArchiveStore {
    /// A purge with the default batch size, no progress.
    public func purgeExpired(cutoff: UTCDateTime, at instant: UTCDateTime) throws -> Int {
        try purgeExpired(cutoff: cutoff, at: instant, batchSize: PurgeBatch.defaultSize, progress: { _ in })
    }
}
