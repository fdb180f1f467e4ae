/// A user that is about to be inserted; the store assigns the id.
public struct NewUser: Sendable {
    public var userID: String
    public var email: String
    public var password: String
    public var level: String?
    public var department: String?
    public var dateJoined: UTCDateTime

    public init(userID: String, email: String, password: String, level: String?, department: String?, dateJoined: UTCDateTime) {
        self.userID = userID
        self.email = email
        self.password = password
        self.level = level
        self.department = department
        self.dateJoined = dateJoined
    }
}
