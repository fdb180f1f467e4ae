/// An administrator's acts on one account: `update`, `set-password`, `deactivate`,
/// `reactivate`, `delete`. Each validates first, then makes one conditional change with its audit
/// entry (AccountStore.update/delete); a change another process made in between is reported
/// (75), never overwritten.
public struct AccountAdministration {
    /// `update`'s fields; nil leaves a field as it is, "" clears level or department.
    public struct Update: Sendable {
        public var userID: String?
        public var email: String?
        public var level: String?
        public var department: String?

        public init(userID: String? = nil, email: String? = nil, level: String? = nil, department: String? = nil) {
            self.userID = userID
            self.email = email
            self.level = level
            self.department = department
        }
    }

    let store: AccountStore
    /// For `update`: the fresh link an email change calls for (made, and mailed when `mail` is
    /// given, under the cooldown `send-activation` keeps).
    let links: ActivationLinks?
    let mail: ActivationMail?
    let cooldown: Int64

    public init(store: AccountStore, links: ActivationLinks? = nil, mail: ActivationMail? = nil, cooldown: Int64 = 0) {
        self.store = store
        self.links = links
        self.mail = mail
        self.cooldown = cooldown
    }

    /// Validates the new values exactly as `register` does and writes them. Nothing to change is
    /// bad data (65), so that a typo in a script does not pass silently.
    public func update(_ reference: AccountReference, _ update: Update, at instant: UTCDateTime = .now()) throws -> AccountChange {
        let user = try store.requireUser(matching: reference)
        var changed = user
        if let userID = update.userID { changed.userID = try UserID.normalize(userID) }
        if let email = update.email { changed.email = try EmailAddress.normalize(email) }
        if let level = update.level { changed.level = try RegisterWorkflow.field("level", level) }
        if let department = update.department { changed.department = try RegisterWorkflow.field("department", department) }
        guard changed != user else {
            throw AccountsError(.badData, "nothing to change: account '\(printable(user.userID))' already has these values")
        }
        let fields = AccountChange(before: user, after: changed).fields
        var change = try write(user, changed, .update, AuditDetail.changed(fields), at: instant)
        // The token covers the email: every link mailed to the old address stopped working, and
        // the new address has not been verified. A fresh link goes to it.
        if change.linksInvalidated, let links {
            do {
                if let mail {
                    change.newLink = try SendActivationWorkflow(store: store, links: links, mail: mail, cooldown: cooldown)
                        .send(to: .id(change.after.id), force: false, at: instant)
                } else {
                    change.newLink = RegisterWorkflow.Outcome(user: change.after, link: try links.issue(for: change.after, at: instant), deliveredTo: nil)
                }
            } catch let error as AccountsError {
                // The cooldown's own hint (--force) belongs to send-activation, which is what to run.
                var hint = error.hint
                if case .forceSkipsCooldown = error.hint { hint = .sendNewLink(userID: printable(change.after.userID)) }
                throw AccountsError(error.kind, "account '\(printable(change.after.userID))' was updated (\(AuditDetail.changed(fields))), but no new link was mailed: \(error.message)", hint: hint)
            }
        }
        return change
    }

    /// Sets the password hash (a new pbkdf2_sha256 hash, or an unusable one with `password` nil).
    public func setPassword(_ reference: AccountReference, to password: String?, hasher: PasswordHasher = PasswordHasher(),
                            at instant: UTCDateTime = .now()) throws -> AccountChange {
        if let password { try NewPassword.check(password) }
        let user = try store.requireUser(matching: reference)
        var changed = user
        // Hashed before the write, as register does: the slow part stays outside the lock.
        changed.password = password.map { hasher.hash($0) } ?? PasswordHasher.unusable()
        return try write(user, changed, .setPassword, AuditDetail.passwordSet(usable: password != nil), at: instant)
    }

    /// The administrator's switch. Deactivating an account that was never activated is refused:
    /// it is inactive already, and the way to be rid of it is `delete` or the purge.
    public func setActive(_ reference: AccountReference, _ active: Bool, at instant: UTCDateTime = .now()) throws -> AccountChange {
        let user = try store.requireUser(matching: reference)
        let name = printable(user.userID)
        if active {
            guard !user.isActive else { throw AccountsError(.badData, "account '\(name)' is already active") }
        } else {
            guard user.isActive else {
                let why = ActivationWindow.isNeverActivated(user) ? "it was never activated" : "it is deactivated already"
                throw AccountsError(.badData, "account '\(name)' is not active: \(why)")
            }
        }
        var changed = user
        changed.isActive = active
        let detail = active ? AuditDetail.reactivated(wasNeverActivated: ActivationWindow.isNeverActivated(user)) : AuditDetail.deactivated
        return try write(user, changed, active ? .reactivate : .deactivate, detail, at: instant)
    }

    /// Archives the account as a purge does (so `restore` puts it back) and deletes it.
    public func delete(_ user: User, at instant: UTCDateTime = .now()) throws {
        guard try store.delete(user, detail: AuditDetail.deleted, at: instant) else { throw Self.changedMeanwhile(user) }
    }

    private func write(_ user: User, _ changed: User, _ action: AuditAction, _ detail: String, at instant: UTCDateTime) throws -> AccountChange {
        guard let after = try store.update(user, to: changed, action: action, detail: detail, at: instant) else {
            throw Self.changedMeanwhile(user)
        }
        return AccountChange(before: user, after: after)
    }

    private static func changedMeanwhile(_ user: User) -> AccountsError {
        AccountsError(.temporary, "account '\(printable(user.userID))' changed or went while this command ran; nothing was changed; look at it again")
    }
}
