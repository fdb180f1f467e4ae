import AccountsCLI
import AccountsCore

/// How `show` and the administrator's commands (update, set-password, deactivate, reactivate,
/// delete) print an account. Never the password hash; stored text escaped on a terminal.
enum AccountOutput {
    /// The account's columns as JSON fields (as `list --format json` names them).
    static func fields(_ user: User) -> [(String, JSONWriter.Value)] {
        [("id", .int(user.id)), ("user_id", .string(user.userID)), ("email", .string(user.email)),
         ("is_active", .bool(user.isActive)), ("password_usable", .bool(PasswordHasher.isUsable(user.password))),
         ("level", text(user.level)), ("department", text(user.department)), ("date_joined", date(user.dateJoined)),
         ("last_login", date(user.lastLogin)), ("activation_sent_at", date(user.activationSentAt)),
         ("activated_at", date(user.activatedAt))]
    }

    static func report(_ report: AccountReport, format: ResultFormat) {
        let user = report.user
        switch format {
        case .json:
            var fields = fields(user)
            fields.insert(("state", .string(report.state.rawValue)), at: 3)
            fields += [("link_expires_at", date(report.linkExpires)), ("last_mail", report.latestMail.map(mail) ?? .null),
                       ("recent_events", .array(report.recentEvents.map(event)))]
            Output.standardOutput.line(JSONWriter.object(fields))
        case .text:
            var lines = userLines(user)
            lines.insert(("state", report.state.rawValue), at: 3)
            lines.append(("link expires", report.linkExpires.map(time) ?? "-"))
            if let mail = report.latestMail {
                let attempts = "\(mail.attempts) \(mail.attempts == 1 ? "attempt" : "attempts")"
                lines.append(("last mail", "#\(mail.id) \(mail.state.rawValue) to \(mail.recipient), \(time(mail.updatedAt)), \(attempts)"
                                + (mail.lastReply.map { ": \($0)" } ?? "")))
            } else {
                lines.append(("last mail", "-"))
            }
            printLines(lines)
            Output.standardOutput.line("recent events:")
            for entry in report.recentEvents {
                Output.standardOutput.line("  \(time(entry.at))  \(entry.action.rawValue)  \(entry.outcome.rawValue)  \(display(entry.osUser))  \(display(entry.detail))")
            }
        }
    }

    static func archived(_ copies: [PurgedUser], format: ResultFormat) {
        switch format {
        case .json:
            Output.standardOutput.line(JSONWriter.object([("archived", .array(copies.map { copy in
                .object([("archive_id", .int(copy.archiveID))] + fields(copy.user)
                        + [("archived_at", date(copy.purgedAt)), ("restored_at", date(copy.restoredAt))])
            }))]))
        case .text:
            for (index, copy) in copies.enumerated() {
                if index > 0 { Output.standardOutput.line("") }
                printLines([("archive_id", String(copy.archiveID))] + userLines(copy.user)
                           + [("archived", time(copy.purgedAt)), ("restored", copy.restoredAt.map(time) ?? "no")])
            }
        }
    }

    /// What a change did, on standard output only with --format json (text goes to stderr as
    /// the command's message, and a fresh link's URL to stdout, as register prints it).
    static func change(_ change: AccountChange, format: ResultFormat) {
        switch format {
        case .json:
            Output.standardOutput.line(JSONWriter.object(fields(change.after) + [
                ("changes", .array(change.fields.map { field in
                    .object([("field", .string(field.name)), ("old", text(field.old)), ("new", text(field.new))])
                })),
                ("links_invalidated", .bool(change.linksInvalidated)),
                ("activation_url", change.newLink.map { .string($0.link.url) } ?? .null),
                ("mail", change.newLink?.deliveredTo.map { .string($0) } ?? .null),
            ]))
        case .text:
            if let link = change.newLink { Output.standardOutput.line(link.link.url) }
        }
    }

    private static func userLines(_ user: User) -> [(String, String)] {
        [("id", String(user.id)), ("user_id", user.userID), ("email", user.email),
         ("password", PasswordHasher.isUsable(user.password) ? "usable" : "unusable (no login until one is set)"),
         ("level", user.level ?? "-"), ("department", user.department ?? "-"), ("joined", time(user.dateJoined)),
         ("last login", user.lastLogin.map(time) ?? "-"), ("last link mailed", user.activationSentAt.map(time) ?? "-"),
         ("activated", user.activatedAt.map(time) ?? "-")]
    }

    private static func printLines(_ lines: [(String, String)]) {
        let width = lines.map(\.0.count).max() ?? 0
        for (name, value) in lines {
            Output.standardOutput.line(name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + display(value))
        }
    }

    private static func mail(_ entry: OutboxEntry) -> JSONWriter.Value {
        .object([("id", .int(entry.id)), ("recipient", .string(entry.recipient)), ("state", .string(entry.state.rawValue)),
                 ("attempts", .int(Int64(entry.attempts))), ("last_reply", text(entry.lastReply)), ("updated_at", date(entry.updatedAt)),
                 ("sent_at", date(entry.sentAt)), ("kind", .string(entry.kind.rawValue))])
    }

    private static func event(_ entry: AuditEntry) -> JSONWriter.Value {
        .object([("id", .int(entry.id)), ("at", date(entry.at)), ("os_user", .string(entry.osUser)),
                 ("action", .string(entry.action.rawValue)), ("outcome", .string(entry.outcome.rawValue)), ("detail", .string(entry.detail))])
    }

    private static func text(_ value: String?) -> JSONWriter.Value { value.map { .string($0) } ?? .null }
    private static func date(_ value: UTCDateTime?) -> JSONWriter.Value { value.map { .string($0.iso8601) } ?? .null }
    private static func time(_ instant: UTCDateTime) -> String { instant.wholeSecondsText + " UTC" }
    /// Stored text, escaped (a terminal must not run what a user_id carries).
    private static func display(_ text: String) -> String { printable(text, limit: 1000) }
}
