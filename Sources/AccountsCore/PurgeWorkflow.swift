/// `purge-expired` and `list`: the accounts whose activation window has passed.
public struct PurgeWorkflow {
    let store: AccountStore
    /// The activation window in seconds: PASSWORD_RESET_TIMEOUT unless --older-than overrides it.
    let window: Int64

    public init(store: AccountStore, window: Int64) {
        self.store = store
        self.window = window
    }

    /// Accounts never activated whose last mail (or sign-up) started before this are expired.
    public func cutoff(at instant: UTCDateTime) -> UTCDateTime {
        instant.adding(seconds: -window)
    }

    /// Deletes (archiving into purged_users) every expired never-activated account; returns how many.
    public func purge(at instant: UTCDateTime = .now()) throws -> Int {
        try store.purgeExpired(cutoff: cutoff(at: instant), at: instant)
    }

    /// What `purge` would delete now, without deleting; returns how many.
    public func preview(at instant: UTCDateTime = .now(), _ each: (User) throws -> Void) throws -> Int {
        var count = 0
        try store.forEachUser(state: .expired, expiryCutoff: cutoff(at: instant), limit: nil) { user in
            count += 1
            try each(user)
        }
        return count
    }
}
