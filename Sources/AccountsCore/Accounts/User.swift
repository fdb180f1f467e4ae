/// One row of the `users` table. The password field holds a hash, never a password.
public struct User: TokenSubject, Equatable, Sendable {
    public var id: Int64
    public var userID: String
    public var email: String
    public var password: String
    public var isActive: Bool
    public var level: String?
    public var department: String?
    public var dateJoined: UTCDateTime
    public var lastLogin: UTCDateTime?
    public var activationSentAt: UTCDateTime?
    public var activatedAt: UTCDateTime?

    public init(id: Int64, userID: String, email: String, password: String, isActive: Bool = false,
                level: String? = nil, department: String? = nil, dateJoined: UTCDateTime,
                lastLogin: UTCDateTime? = nil, activationSentAt: UTCDateTime? = nil, activatedAt: UTCDateTime? = nil) {
        self.id = id
        self.userID = userID
        self.email = email
        self.password = password
        self.isActive = isActive
        self.level = level
        self.department = department
        self.dateJoined = dateJoined
        self.lastLogin = lastLogin
        self.activationSentAt = activationSentAt
        self.activatedAt = activatedAt
    }

    /// When the account's current activation window started: the last mail, or sign-up.
    public var activationWindowStart: UTCDateTime { activationSentAt ?? dateJoined }
}
