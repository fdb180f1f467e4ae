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

/// Everything the workflows need from storage. All SQL lives behind this protocol, so another
/// store (PostgreSQL) is a new conforming type, not a change to the workflows.
///
/// Errors are `AccountsError`s: a duplicate is `.badData` naming the conflict, a busy
/// database `.temporary`, an unreadable file `.ioError` or `.unavailable`.
public protocol AccountStore {
    /// Inserts an inactive user. Throws `.badData` naming the conflicting field on a duplicate
    /// user_id or email (ignoring case), even when another process wins a race.
    func insert(_ user: NewUser) throws -> User

    func user(id: Int64) throws -> User?

    /// Looks up by exact user_id first, then by email ignoring case.
    func user(matching reference: String) throws -> User?

    /// Records that an activation mail went out at `instant`.
    func recordActivationSent(id: Int64, at instant: UTCDateTime) throws

    /// Atomically takes the right to mail `id` now: sets activation_sent_at to `instant` unless
    /// the account is active or a mail went out at or after `notBefore`. Returns the previous
    /// activation_sent_at (`.claimed(previous:)`), or why it could not (`.refused(user)`).
    func claimActivationMail(id: Int64, at instant: UTCDateTime, notSentSince notBefore: UTCDateTime?) throws -> MailClaim

    /// Undoes a claim whose mail could not be sent, unless something newer happened since.
    func releaseActivationMail(id: Int64, claimedAt instant: UTCDateTime, previous: UTCDateTime?) throws

    /// Activates `user` if its row still holds exactly the values its token was checked
    /// against (so two activations of one link cannot both succeed). Returns false otherwise.
    func activate(_ user: User, at instant: UTCDateTime) throws -> Bool

    /// Calls `body` for each matching user in id order, reading one row at a time.
    func forEachUser(state: AccountState?, expiryCutoff: UTCDateTime, limit: Int?, _ body: (User) throws -> Void) throws

    /// In one transaction, copies every never-activated user whose activation window started
    /// before `cutoff` (exactly the `.expired` state of `forEachUser`) into the `purged_users`
    /// archive, stamped with `instant`, and deletes it. Returns how many.
    func purgeExpired(cutoff: UTCDateTime, at instant: UTCDateTime) throws -> Int
}

public enum MailClaim: Equatable, Sendable {
    case claimed(previous: UTCDateTime?)
    case refused(User)
}
