import AccountsCore
import ArgumentParser

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Show the audit log: every change made to an account, by whom, and how it ended.",
        discussion: """
            One entry per change: register, send-activation (ok, or failed with the mail error),
            activate, purge (one entry per account purged; the entries of one purge share its id),
            restore. Oldest first; times are UTC.
            OS_USER is the operating-system account that ran the command. Input that was refused
            before anything changed (a bad link, a duplicate) leaves no entry: see the exit code.
            json is one array of objects; csv has a header row.
            """
    )

    @Option(help: ArgumentHelp("Only entries about this account: its user_id, or the email of a current or purged account.", valueName: "user"))
    var user: String?

    @Option(help: ArgumentHelp("Only entries at or after this: a span back from now (24h, 7d) or a UTC date or time (2026-11-20, 2026-11-20T09:30:00Z).", valueName: "when"))
    var since: String?

    @Option(help: ArgumentHelp("Only this action: register, send-activation, activate, purge or restore.", valueName: "action"))
    var action: String?

    @Option(help: "Only the newest this many entries (still shown oldest first).")
    var limit: Int?

    @Option(help: "Output: table (for people), json or csv.")
    var format: ListFormat = .table

    @OptionGroup var global: GlobalOptions

    private static let columns: [RowWriter.Column] = [
        .init("id"),
        .init("at", table: "AT (UTC)", width: 16),
        .init("os_user", table: "OS_USER", width: 12),
        .init("action", table: "ACTION", width: 15),
        .init("account_id"),
        .init("user_id", table: "ACCOUNT", width: 20),
        .init("outcome", table: "OUTCOME", width: 7),
        .init("detail", table: "DETAIL", width: 60),
    ]

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if let since, PointInTime.parse(since, now: .now()) == nil {
            throw ValidationError("--since '\(printable(since))' is neither a span such as 24h or 7d nor a UTC date such as 2026-11-20 or 2026-11-20T09:30:00Z")
        }
        if let action, AuditAction(rawValue: action) == nil {
            throw ValidationError("--action '\(printable(action))' is not one of \(AuditAction.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let context = try CommandContext(global)
        let query = AuditQuery(user: user, since: since.flatMap { PointInTime.parse($0, now: .now()) },
                               action: action.flatMap(AuditAction.init(rawValue:)), limit: limit)
        let store = try context.store()
        var writer = RowWriter(format: format, output: Output.standardOutput, columns: Self.columns)
        writer.begin()
        try store.forEachAuditEntry(query) { entry in
            writer.row([
                .int(entry.id), .date(entry.at), .text(entry.osUser), .text(entry.action.rawValue), .int(entry.accountID),
                .text(entry.userID), .text(entry.outcome.rawValue), .text(entry.detail),
            ])
        }
        writer.end()
    }
}
