/// What `stats` and /metrics count. (Errors: `AccountStore`.)
public protocol StatisticsStore: Sendable {
    /// `stats`: accounts by state now (`expiryCutoff` as for `forEachUser`), and audit entries,
    /// purged accounts, retried mails and activation delays at or after `since` (nil: all).
    func statistics(since: UTCDateTime?, expiryCutoff: UTCDateTime) throws -> AccountStatistics
}
