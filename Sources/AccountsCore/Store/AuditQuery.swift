/// Which audit entries `accounts log` shows.
public struct AuditQuery: Sendable {
    /// A user_id, or an email of a current or purged account.
    public var user: String?
    public var since: UTCDateTime?
    public var action: AuditAction?
    /// Only the newest this many (still shown oldest first).
    public var limit: Int?

    public init(user: String? = nil, since: UTCDateTime? = nil, action: AuditAction? = nil, limit: Int? = nil) {
        self.user = user
        self.since = since
        self.action = action
        self.limit = limit
    }
}
