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
}
