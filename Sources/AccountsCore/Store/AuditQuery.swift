/// Which audit entries `accounts log` shows.
public struct AuditQuery: Sendable {
    /// A user_id, or an email of a current or purged account.
    public var user: String?
    public var since: UTCDateTime?
    public var action: AuditAction?
    /// Only the newest this many (still shown oldest first).
    public var limit: Int?
    /// Only entries with a larger id (`log --follow` asks for what is new).
    public var afterID: Int64?

    public init(user: String? = nil, since: UTCDateTime? = nil, action: AuditAction? = nil, limit: Int? = nil, afterID: Int64? = nil) {
        self.user = user
        self.since = since
        self.action = action
        self.limit = limit
        self.afterID = afterID
    }
}
