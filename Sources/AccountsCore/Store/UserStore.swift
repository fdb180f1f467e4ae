/// The accounts themselves: registration, look-ups, activation, the listing, and an
/// administrator's changes. (Errors and auditing: `AccountStore`.)
public protocol UserStore: Sendable {
    /// Inserts an inactive user. Throws `.badData` naming the conflicting field on a duplicate
    /// user_id or email (ignoring case), even when another process wins a race.
    func insert(_ user: NewUser) throws -> User

    func user(id: Int64) throws -> User?

    /// Every account with one of these user_ids, or one of these emails (ignoring case).
    func users(withUserIDs userIDs: [String], orEmails emails: [String]) throws -> [User]

    /// In one transaction: inserts every user `users` hands to its `insert` (as `insert`, all or
    /// none; they are streamed, so a million need not be in memory at once), and with `queueMail`
    /// queues an activation mail for each; and for each account of `existing` (ids) that is still
    /// `eligible` as read inside the transaction, gives the mail already waiting for it, or queues
    /// one unless one is being sent. Returns how many accounts were created and the ids of the
    /// outbox rows to send.
    func registerAll(_ users: (_ insert: (NewUser) throws -> Void) throws -> Void,
                     mailing existing: [Int64], ifStill eligible: (User) -> Bool,
                     queueMail: Bool, at instant: UTCDateTime) throws -> (created: Int, mails: [Int64])

    /// Activates `user` if its row still holds exactly the values its token was checked
    /// against (so two activations of one link cannot both succeed). Returns false otherwise.
    /// `detail` goes into the audit log.
    func activate(_ user: User, at instant: UTCDateTime, detail: String) throws -> Bool

    /// Calls `body` for each matching user in id order, reading one row at a time.
    func forEachUser(state: AccountState?, expiryCutoff: UTCDateTime, limit: Int?, _ body: (User) throws -> Void) throws

    /// Writes `changed`'s user_id, email, password, is_active, level and department over the
    /// account `user` (its id), if its row still holds exactly what `user` holds, with the audit
    /// entry (`action`, `detail`) in the same transaction. Returns the row as it now is, or nil
    /// when it changed or went meanwhile. A user_id or email (ignoring case) another account has
    /// is `.badData` naming the conflict, as for `insert`. Whatever sets is_active, the database
    /// records the activation (activated_at), so a reactivated account is never "never activated".
    func update(_ user: User, to changed: User, action: AuditAction, detail: String, at instant: UTCDateTime) throws -> User?

    /// Archives the account into `purged_users` exactly as a purge does (so `restore` puts it
    /// back) and deletes it, with its `delete` audit entry (which the archive row points at), if
    /// its row still holds exactly what `user` holds. Returns false otherwise.
    func delete(_ user: User, detail: String, at instant: UTCDateTime) throws -> Bool
}

extension UserStore {
    /// The account `reference` names, nil when none does; `.badData` when a USER is the user_id
    /// of one account and the email of another (`AccountReference.resolve`).
    public func user(matching reference: AccountReference) throws -> User? {
        let candidates: [User] = switch reference {
        case .either(let text): try users(withUserIDs: [text], orEmails: [text])
        case .id(let id): try user(id: id).map { [$0] } ?? []
        case .userID(let text): try users(withUserIDs: [text], orEmails: [])
        case .email(let text): try users(withUserIDs: [], orEmails: [text])
        }
        return try reference.resolve(candidates, id: \.id, userID: \.userID)
    }

    /// The account `reference` names, or `.noSuchUser` saying so.
    public func requireUser(matching reference: AccountReference) throws -> User {
        guard let user = try user(matching: reference) else {
            throw AccountsError(.noSuchUser, "no account with \(reference)")
        }
        return user
    }
}
