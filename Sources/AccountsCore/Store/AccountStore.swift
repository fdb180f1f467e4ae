
/// Everything the workflows need from storage. All SQL lives behind this protocol, so another
/// store (PostgreSQL) is a new conforming type, not a change to the workflows.
///
/// Every change to an account is recorded in the audit log in the same transaction as the
/// change itself (see `AuditAction`); reads record nothing.
///
/// Errors are `AccountsError`s: a duplicate is `.badData` naming the conflict, a busy
/// database `.temporary`, an unreadable file `.ioError` or `.unavailable`.
public protocol AccountStore: Sendable {
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

    /// Atomically takes the right to mail `id` now: sets activation_sent_at to `instant` and
    /// queues the mail in the outbox, unless the account is active or a mail went to its address
    /// at or after `notBefore`. Returns the previous activation_sent_at and the queued mail, or
    /// `.refused(user)`. With `request` (a visitor asked), also `.overLimit(user)` once the
    /// account has had `request.limit` requests, and else the request's audit entry.
    func claimActivationMail(id: Int64, at instant: UTCDateTime, notSentSince notBefore: UTCDateTime?,
                             request: LinkRequestRecord?) throws -> MailClaim

    /// Undoes a claim whose mail could not be sent, unless something newer happened since.
    func releaseActivationMail(id: Int64, claimedAt instant: UTCDateTime, previous: UTCDateTime?) throws

    /// `send-activation --pending`: in one transaction, claims a mail (as `claimActivationMail`)
    /// for every account never activated whose last mail went out before `notSentSince` (or
    /// never; nil: whenever) and that has none being sent, queuing it or reusing one waiting for
    /// a retry. Returns the claims, each with the account's activation_sent_at before it.
    func claimPendingMails(notSentSince: UTCDateTime?, at instant: UTCDateTime) throws -> [PendingMailClaim]

    // MARK: The outbox (docs/outbox.md)

    /// Queues a mail of `kind` to `user`, due at once.
    func enqueueMail(_ kind: MailKind, for user: User, at instant: UTCDateTime) throws -> OutboxEntry

    /// One outbox row, with the user_id of its account now.
    func outboxEntry(id: Int64) throws -> OutboxEntry?

    /// Takes a queued or failed-temporary mail for sending (state `sending`, one more attempt).
    /// Returns nil when it is no longer there to take: another process took it, or it went out.
    func beginSending(_ entry: OutboxEntry, at instant: UTCDateTime) throws -> OutboxEntry?

    /// The server accepted a taken mail: records it as sent, with what its flow's `record` says
    /// (the audit entry, and the account's activation_sent_at if it is stamped).
    func finishSending(_ entry: OutboxEntry, for user: User, at instant: UTCDateTime, receipt: MailReceipt, record: MailRecord) throws

    /// A taken mail failed: it goes to `state` (due again at `nextAttemptAt`), with the
    /// failure's reply and the audit entry of `record`. (`OutboxEntry.afterFailure` decides where.)
    func failSending(_ entry: OutboxEntry, for user: User, at instant: UTCDateTime, failure: MailFailure,
                     state: OutboxState, nextAttemptAt: UTCDateTime?, record: MailRecord) throws

    /// Gives up on a mail its flow says is no longer due (failed-permanent, not audited: the
    /// account did not change).
    func abandonMail(_ entry: OutboxEntry, at instant: UTCDateTime, reason: String) throws

    /// Makes queued mails (never tried) due no sooner than `until`: the relay said "not now".
    func deferMail(_ ids: [Int64], until: UTCDateTime) throws

    /// How many queued or failed-temporary mails are not due yet at `instant`, and when the
    /// first of them is.
    func mailNotYetDue(at instant: UTCDateTime) throws -> (count: Int, next: UTCDateTime?)

    /// The account's newest mail of `kind` to its address that is queued, waiting for a retry,
    /// or being sent (taken at or after `inFlightSince`; one taken earlier was interrupted and
    /// does not count).
    func pendingMail(_ kind: MailKind, for user: User, inFlightSince: UTCDateTime) throws -> OutboxEntry?

    /// Queued and failed-temporary mail whose time has come (all of it with `includingNotYetDue`).
    func dueMail(at instant: UTCDateTime, includingNotYetDue: Bool) throws -> [OutboxEntry]

    /// Calls `body` for each outbox row (in `state`, or all), oldest first; `limit`: the newest n.
    func forEachOutboxEntry(state: OutboxState?, limit: Int?, _ body: (OutboxEntry) throws -> Void) throws

    /// Activates `user` if its row still holds exactly the values its token was checked
    /// against (so two activations of one link cannot both succeed). Returns false otherwise.
    /// `detail` goes into the audit log.
    func activate(_ user: User, at instant: UTCDateTime, detail: String) throws -> Bool

    /// Calls `body` for each matching user in id order, reading one row at a time.
    func forEachUser(state: AccountState?, expiryCutoff: UTCDateTime, limit: Int?, _ body: (User) throws -> Void) throws

    /// Copies every never-activated user whose activation window started before `cutoff`
    /// (exactly the `.expired` state of `forEachUser`) into the `purged_users` archive, stamped
    /// with `instant`, and deletes it, in batches of `batchSize`, oldest window first: each batch
    /// is one transaction that archives, deletes and writes its audit entry (one entry standing
    /// for the batch's accounts), so other writers wait for one batch at most, and a purge stopped
    /// halfway leaves whole batches. An account that changes while a batch is chosen is re-checked
    /// and kept. Calls `progress` with the count so far after each batch. One purge at a time per
    /// database (`PurgeLease`): throws `.temporary` while another runs. Returns how many.
    func purgeExpired(cutoff: UTCDateTime, at instant: UTCDateTime, batchSize: Int, progress: (Int) -> Void) throws -> Int

    /// Puts the archived copy `archiveID` of a purged or deleted account back, with its old id and
    /// its activation window restarted at `instant`, and marks the copy restored. Throws
    /// `.badData` when its user_id or email has been taken since, `.temporary` when the copy was
    /// restored meanwhile.
    func restore(archiveID: Int64, at instant: UTCDateTime) throws -> User

    /// Calls `body` for each matching audit entry, oldest first. The entries of one purge batch
    /// (one per account) share its id.
    func forEachAuditEntry(_ query: AuditQuery, _ body: (AuditEntry) throws -> Void) throws

    /// The ids of the audit entries committed so far with an id above `id`, in order (cheap: the
    /// primary key only). With PostgreSQL an id can become visible after a larger one (ids are
    /// taken at insert, rows seen at commit); `AuditFollower` copes with that.
    func auditIDs(after id: Int64) throws -> [Int64]

    /// The largest audit entry id committed so far (0: none).
    func lastAuditID() throws -> Int64

    // MARK: An administrator's changes (update, set-password, deactivate, reactivate, delete)

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

    /// The account's newest outbox row.
    func latestMail(forAccount id: Int64) throws -> OutboxEntry?

    /// Archived copies of accounts (purged or deleted, restored or not) that `reference` names,
    /// newest first.
    func archivedUsers(matching reference: AccountReference) throws -> [PurgedUser]

    /// `stats`: accounts by state now (`expiryCutoff` as for `forEachUser`), and audit entries,
    /// purged accounts, retried mails and activation delays at or after `since` (nil: all).
    func statistics(since: UTCDateTime?, expiryCutoff: UTCDateTime) throws -> AccountStatistics

    // MARK: Moving between stores (docs/postgresql.md)

    /// Calls `body` with every row of every table as stored, each table in id order, in the
    /// order of `TransferRecord`, then the sequences; from one snapshot.
    func exportAll(_ body: (TransferRecord) throws -> Void) throws

    /// Loads what `records` hands its argument (as `exportAll` gives it) in one transaction, all
    /// or nothing: refused (`.cannotCreate`) unless the database is empty or `append`; a row whose
    /// id (or user_id, or email) is taken is refused (`.badData`). Every id sequence ends past the
    /// largest id and the exported mark, and is never moved back.
    func importAll(append: Bool, _ records: (_ each: (TransferRecord) throws -> Void) throws -> Void) throws -> TransferCounts

    /// Where the store is, for messages: a path, or `postgresql://user@host:port/database`.
    var description: String { get }
}

extension AccountStore {
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

    /// The newest archived copy, not restored yet, of the account `reference` names (the newest
    /// account when one user_id was registered and purged more than once). `.noSuchUser` when
    /// there is none, `.badData` when the account is not archived but exists.
    public func latestArchive(matching reference: AccountReference) throws -> PurgedUser {
        let copies = try archivedUsers(matching: reference).filter { $0.restoredAt == nil }
        if let copy = try reference.resolve(copies, id: \.user.id, userID: \.user.userID, what: "archived account") { return copy }
        if let current = try user(matching: reference) {
            throw AccountsError(.badData, "account '\(printable(current.userID))' is not purged: it exists, with id \(current.id)")
        }
        throw AccountsError(.noSuchUser, "no purged account with \(reference)", hint: .seePurgeLog)
    }

    /// The operator's claim: no request limit.
    public func claimActivationMail(id: Int64, at instant: UTCDateTime, notSentSince notBefore: UTCDateTime?) throws -> MailClaim {
        try claimActivationMail(id: id, at: instant, notSentSince: notBefore, request: nil)
    }

    /// A purge with the default batch size, no progress.
    public func purgeExpired(cutoff: UTCDateTime, at instant: UTCDateTime) throws -> Int {
        try purgeExpired(cutoff: cutoff, at: instant, batchSize: PurgeBatch.defaultSize, progress: { _ in })
    }
}
