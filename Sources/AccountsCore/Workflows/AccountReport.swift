/// `show`: one account as an operator needs to see it. Reads only.
public struct AccountReport: Sendable {
    public var user: User
    public var state: AccountState
    /// When the current activation link stops working (nil: the account is not never-activated).
    public var linkExpires: UTCDateTime?
    public var latestMail: OutboxEntry?
    /// The newest audit entries of the account, oldest first.
    public var recentEvents: [AuditEntry]

    /// How many audit entries `show` gives.
    public static let recentEventCount = 5

    /// The account `reference` names, or `.noSuchUser`.
    public static func current(_ reference: AccountReference, store: AccountStore, window: ActivationWindow,
                               at instant: UTCDateTime = .now()) throws -> AccountReport {
        let user = try store.requireUser(matching: reference)
        var events: [AuditEntry] = []
        try store.forEachAuditEntry(AuditQuery(accountIDs: [user.id], limit: recentEventCount)) { events.append($0) }
        return AccountReport(user: user, state: ActivationWindow.state(of: user, cutoff: window.cutoff(at: instant)),
                             linkExpires: window.linkExpiry(of: user), latestMail: try store.latestMail(forAccount: user.id),
                             recentEvents: events)
    }

    /// `show --archived`: every archived copy (purged or deleted) of the accounts `reference`
    /// names, newest first; `.noSuchUser` when there is none.
    public static func archived(_ reference: AccountReference, store: AccountStore) throws -> [PurgedUser] {
        let copies = try store.archivedUsers(matching: reference)
        guard !copies.isEmpty else {
            throw AccountsError(.noSuchUser, "no archived account with \(reference)")
        }
        return copies
    }
}
