/// The mails a run could not send, grouped by reason, and the error the run ends with. One rule
/// for every command that sends in bulk (`register --from-csv`, `send-activation --pending`,
/// `outbox retry`): exit 75 when any failed mail will be retried, otherwise the first failure's
/// own code.
public struct FailureTally: Sendable {
    public struct Reason: Sendable {
        public var message: String
        public var kind: AccountsError.Kind
        public var permanent: Bool
        public var count: Int
        /// The first few accounts it happened to.
        public var examples: [String]
    }

    /// Distinct reasons kept; past this, failures are counted but not grouped (each refused
    /// address is a reason of its own, and a million of them must not fill the memory).
    static let maximumReasons = 100

    public private(set) var reasons: [Reason] = []
    public private(set) var count = 0
    public private(set) var temporary = 0
    /// Failures that say the settings are wrong (also counted in `temporary`: retried once fixed).
    public private(set) var configuration = 0
    /// Failures beyond `maximumReasons` distinct reasons.
    public private(set) var ungrouped = 0
    private var indexByMessage: [String: Int] = [:]

    public init() {}

    public var permanent: Int { count - temporary }

    public mutating func add(_ failure: MailFailure, userID: String?) {
        count += 1
        if !failure.permanent { temporary += 1 }
        if failure.error.kind == .configuration { configuration += 1 }
        let message = failure.error.message
        if let index = indexByMessage[message] {
            reasons[index].count += 1
            if reasons[index].examples.count < 3, let userID { reasons[index].examples.append(userID) }
        } else if reasons.count < Self.maximumReasons {
            indexByMessage[message] = reasons.count
            reasons.append(Reason(message: message, kind: failure.error.kind, permanent: failure.permanent, count: 1,
                                  examples: userID.map { [$0] } ?? []))
        } else {
            ungrouped += 1
        }
    }

    /// nil when nothing failed. A refusal about the settings (78) comes before "try later"
    /// (75): retrying will not help until someone fixes them. `notTried` mails were never
    /// attempted (the run stopped when the relay said "not now"); they are due at `until`.
    public func error(of total: Int, notTried: Int = 0, until: UTCDateTime? = nil) -> AccountsError? {
        guard let first = reasons.first else { return nil }
        let kind: AccountsError.Kind = configuration > 0 ? .configuration : temporary > 0 || notTried > 0 ? .temporary : first.kind
        let firstOfKind = kind == .configuration ? reasons.first { $0.kind == .configuration } ?? first : first
        let retried = temporary > 0 ? " (\(temporary) will be retried)" : ""
        var message = "\(count) of \(total) activation mails were not sent\(retried)"
        message += "; \(kind == .configuration ? "" : "first: ")\(firstOfKind.message)"
        guard notTried > 0 else { return AccountsError(kind, message) }
        return AccountsError(kind, message + "; \(notTried) were not tried after the relay said no, and stay queued",
                             hint: .outboxRetrySendsThem(from: until))
    }
}
