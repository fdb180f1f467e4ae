/// The words of the audit log's detail column, in one place, so that every store writes the same
/// entries and none can drift. Tokens, passwords and keys never go into them.
public enum AuditDetail {
    public static func registered(email: String) -> String {
        "inactive account for \(email)"
    }

    /// Which key signed the link that activated the account.
    public static func activated(keyIndex: Int) -> String {
        "link signed with \(TokenGenerator.keyName(keyIndex))"
    }

    /// A visitor's "send me a new link" on `serve`'s page (the mail follows as a send-activation).
    public static let linkRequested = "a new link asked for with the expired one, on the activation page"

    public static func mailed(to destination: String) -> String {
        "mail to \(destination)"
    }

    public static func mailFailed(_ failure: MailFailure) -> String {
        failure.error.message
    }

    /// The one entry of a purge batch; the accounts it removed are the purged_users rows that
    /// point at it (the count is theirs to tell: the statement that writes this does not know it).
    public static func purged(cutoff: UTCDateTime) -> String {
        "purge batch: never activated, activation window started before \(cutoff.wholeSecondsText)"
    }

    /// How `log` shows each account a purge removed (its archived row stands for the entry).
    public static func purgedAccount(windowStart: UTCDateTime) -> String {
        "never activated; activation window started \(windowStart.storageText)"
    }

    public static func restored(purgedAt: UTCDateTime) -> String {
        "purged at \(purgedAt.wholeSecondsText); activation window restarted"
    }

    /// An administrator's update: each field, old -> new; never a password or its hash.
    public static func changed(_ fields: [AccountChange.Field]) -> String {
        fields.map { field in
            field.name == "password" ? "password changed" : "\(field.name) \(field.old ?? "(none)") -> \(field.new ?? "(none)")"
        }.joined(separator: "; ")
    }

    public static func passwordSet(usable: Bool) -> String {
        usable ? "password set by an administrator" : "password made unusable by an administrator"
    }

    public static let deactivated = "deactivated by an administrator"

    /// `wasNeverActivated`: an account no link had activated, activated without one.
    public static func reactivated(wasNeverActivated: Bool) -> String {
        wasNeverActivated ? "activated by an administrator, without a link" : "reactivated by an administrator"
    }

    public static let deleted = "deleted by an administrator; archived in purged_users (restore puts it back)"
}
