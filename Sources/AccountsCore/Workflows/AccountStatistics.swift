/// `stats`: how many accounts are in each state now, and what happened since a point in time,
/// from the audit log (so it counts what other programs did only where they were audited: a
/// Django login is not).
public struct AccountStatistics: Sendable, Equatable {
    public var since: UTCDateTime?
    public var accounts: [AccountState: Int]
    /// Audit entries in the period by action and outcome.
    public var events: [AuditAction: [AuditOutcome: Int]]
    /// Accounts removed by purge-expired in the period (a purge batch is one entry for many).
    public var purgedAccounts: Int
    /// Outbox rows that needed more than one attempt, last touched in the period.
    public var retriedMails: Int
    /// From registration to activation through a link, in seconds, for each activation in the
    /// period of an account still there.
    public var activationDelays: [Int64]

    public init(since: UTCDateTime?, accounts: [AccountState: Int], events: [AuditAction: [AuditOutcome: Int]],
                purgedAccounts: Int, retriedMails: Int, activationDelays: [Int64]) {
        self.since = since
        self.accounts = accounts
        self.events = events
        self.purgedAccounts = purgedAccounts
        self.retriedMails = retriedMails
        self.activationDelays = activationDelays.sorted()
    }

    public func count(_ action: AuditAction, _ outcome: AuditOutcome = .ok) -> Int {
        events[action]?[outcome] ?? 0
    }

    /// The q-quantile of the activation delays (nearest rank), nil when there were none.
    public func activationDelay(quantile q: Double) -> Int64? {
        guard !activationDelays.isEmpty else { return nil }
        let rank = Int((q * Double(activationDelays.count)).rounded(.up))
        return activationDelays[min(max(rank, 1), activationDelays.count) - 1]
    }

    /// Reads them from `store`; `since` nil: since the log began.
    public static func read(from store: AccountStore, since: UTCDateTime?, window: ActivationWindow,
                            at instant: UTCDateTime = .now()) throws -> AccountStatistics {
        try store.statistics(since: since, expiryCutoff: window.cutoff(at: instant))
    }
}
