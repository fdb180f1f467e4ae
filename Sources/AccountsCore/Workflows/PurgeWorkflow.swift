/// `purge-expired`: delete (archiving into purged_users) the accounts never activated whose link
/// has expired, as `ActivationWindow` defines it.
public struct PurgeWorkflow {
    let store: AccountStore
    /// PASSWORD_RESET_TIMEOUT, or --older-than, in TIME_ZONE's token clock.
    public let window: ActivationWindow

    public init(store: AccountStore, window: ActivationWindow) {
        self.store = store
        self.window = window
    }

    /// Deletes (archiving into purged_users) every expired never-activated account, `batchSize`
    /// a transaction; returns how many.
    public func purge(at instant: UTCDateTime = .now(), batchSize: Int = PurgeBatch.defaultSize,
                      progress: (Int) -> Void = { _ in }) throws -> Int {
        try store.purgeExpired(cutoff: window.cutoff(at: instant), at: instant, batchSize: batchSize, progress: progress)
    }

    /// What `purge` would delete now, without deleting; returns how many.
    public func preview(at instant: UTCDateTime = .now(), _ each: (User) throws -> Void) throws -> Int {
        var count = 0
        try store.forEachUser(state: .expired, expiryCutoff: window.cutoff(at: instant), limit: nil) { user in
            count += 1
            try each(user)
        }
        return count
    }
}
