/// Which audit entries `accounts log` shows.
public struct AuditQuery: Sendable {
    /// Only entries about these accounts, by id: their whole history, whatever user_id or email
    /// they had when (ids are never reused, and a purged account keeps its id in the archive).
    public var accountIDs: [Int64]?
    /// Only entries whose recorded user_id was this text, whichever account had it then.
    public var userIDText: String?
    public var since: UTCDateTime?
    public var action: AuditAction?
    /// Only the newest this many (still shown oldest first).
    public var limit: Int?
    /// Only entries with a larger id (`log --follow` asks for what is new).
    public var afterID: Int64?

    public init(accountIDs: [Int64]? = nil, userIDText: String? = nil, since: UTCDateTime? = nil, action: AuditAction? = nil, limit: Int? = nil, afterID: Int64? = nil) {
        self.accountIDs = accountIDs
        self.userIDText = userIDText
        self.since = since
        self.action = action
        self.limit = limit
        self.afterID = afterID
    }
}

extension AuditQuery {
    /// The id of the account whose history `reference` asks for: the current account it names,
    /// else the archived (purged or deleted) one; `.noSuchUser` when neither exists.
    public static func accountID(of reference: AccountReference, in store: AccountStore) throws -> Int64 {
        if let current = try store.user(matching: reference) { return current.id }
        if let archived = try reference.resolve(try store.archivedUsers(matching: reference), id: \.user.id, userID: \.user.userID,
                                                what: "archived account") {
            return archived.user.id
        }
        throw AccountsError(.noSuchUser, "no account, current or archived, with \(reference)")
    }
}
