/// The account columns that purge and delete copy into purged_users and restore copies back, in
/// one order, written once for both stores (only their placeholders differ: `?` and `$n`).
enum ArchivedColumns {
    static let names = ["id", "user_id", "email", "password", "is_active", "level", "department", "date_joined",
                        "last_login", "activation_sent_at", "activated_at"]

    /// `id, user_id, …`, each name after `qualifier` (`d.` for `d.id, d.user_id, …`).
    static func list(_ qualifier: String = "") -> String {
        names.map { qualifier + $0 }.joined(separator: ", ")
    }

    /// Restore's copy of archive row `archiveID` back into users, with `sentAt` as its
    /// activation_sent_at (its activation window restarts: the next purge would take it again).
    static func restore(sentAt: String, archiveID: String) -> String {
        let copied = names.map { $0 == "activation_sent_at" ? sentAt : $0 }.joined(separator: ", ")
        return "INSERT INTO users (\(list())) SELECT \(copied) FROM purged_users WHERE archive_id = \(archiveID)"
    }
}
