import AccountsCLI
import AccountsCore
import ArgumentParser

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Show the audit log: every change made to an account, by whom, and how it ended.",
        discussion: """
            One entry per change: register, send-activation (ok, or failed with the mail error), \
            request-activation (a new link asked for on serve's page), activate, purge (one entry per \
            account purged; the entries of one purge share its id), restore, update, set-password, \
            deactivate, reactivate, delete. Oldest first; times are UTC. OS_USER is the operating-system \
            account that ran the command. Input that was refused before anything changed (a bad link, a \
            duplicate) leaves no entry: see the exit code. json is one array of objects; csv has a \
            header row. --user (or --id, --user-id, --email) follows one account by its id, through \
            renames and purges; --user-id-text matches the user_id each entry recorded, whichever \
            account had it then.

            --follow keeps printing entries as they are committed (by this or any other process or \
            host), after the ones already there (--limit: the newest n of those), until interrupted \
            (SIGINT, SIGTERM: exit 0) or until the reader of its output goes away; json is then JSON \
            Lines, one object a line, so that a script can read it as it comes:

              accounts log --follow --format json | while read -r entry; do …; done
            """
    )

    @Option(help: ArgumentHelp("Only entries about this account, its whole history by id (whatever user_id or email it had): its user_id or email now, else a purged or deleted account's.", valueName: "user"))
    var user: String?

    @Option(name: .customLong("id"), help: ArgumentHelp("Only entries about the account with this id (current, purged or deleted).", valueName: "n"))
    var id: Int64?

    @Option(name: .customLong("user-id"), help: ArgumentHelp("As --user, by exactly this user_id.", valueName: "user-id"))
    var userID: String?

    @Option(name: .customLong("email"), help: ArgumentHelp("As --user, by this email (ignoring case).", valueName: "email"))
    var email: String?

    @Option(name: .customLong("user-id-text"), help: ArgumentHelp("Only entries that recorded this user_id, whichever account had it then.", valueName: "text"))
    var userIDText: String?

    @Option(help: ArgumentHelp("Only entries at or after this: a span back from now (24h, 7d) or a UTC date or time (2026-11-20, 2026-11-20T09:30:00Z).", valueName: "when"))
    var since: String?

    @Option(help: ArgumentHelp("Only this action: register, send-activation, request-activation, activate, purge, restore, update, set-password, deactivate, reactivate or delete.", valueName: "action"))
    var action: String?

    @Option(help: "Only the newest this many entries (still shown oldest first).")
    var limit: Int?

    @Option(help: "Output: table (for people), json or csv.")
    var format: ListFormat = .table

    @Flag(name: [.customShort("f"), .long], help: "Keep printing new entries as they are committed (json: one object a line).")
    var follow = false

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
        if [user != nil, id != nil, userID != nil, email != nil].filter({ $0 }).count > 1 {
            throw ValidationError("name the account once: --user, --id, --user-id or --email")
        }
        if let since, PointInTime.parse(since, now: .now()) == nil {
            throw ValidationError("--since '\(printable(since))' is neither a span such as 24h or 7d nor a UTC date such as 2026-11-20 or 2026-11-20T09:30:00Z")
        }
        if let action, AuditAction(rawValue: action) == nil {
            throw ValidationError("--action '\(printable(action))' is not one of \(AuditAction.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let context = try CommandContext(global)
        let store = try context.store()
        let reference: AccountReference? = user.map { .either($0) } ?? id.map { .id($0) } ?? userID.map { .userID($0) } ?? email.map { .email($0) }
        let query = AuditQuery(accountIDs: try reference.map { [try AuditQuery.accountID(of: $0, in: store)] }, userIDText: userIDText,
                               since: since.flatMap { PointInTime.parse($0, now: .now()) },
                               action: action.flatMap(AuditAction.init(rawValue:)), limit: limit)
        var writer = RowWriter(format: format, output: Output.standardOutput, columns: Self.columns, jsonLines: follow)
        writer.begin()
        // Taken before the first read: whatever is committed after it is the follower's.
        let last = follow ? try store.lastAuditID() : 0
        let write = { (entry: AuditEntry) in
            writer.row([
                .int(entry.id), .date(entry.at), .text(entry.osUser), .text(entry.action.rawValue), .int(entry.accountID),
                .text(entry.userID), .text(entry.outcome.rawValue), .text(entry.detail),
            ])
        }
        try store.forEachAuditEntry(query) { entry in
            if !follow || entry.id <= last { write(entry) }
        }
        guard follow else {
            writer.end()
            return
        }
        var follower = AuditFollower(store: store, query: query, after: last)
        Output.standardOutput.flush()
        FollowSignals.install()
        while !FollowSignals.stopRequested {
            for entry in try follower.poll() { write(entry) }
            Output.standardOutput.flush()
            if FollowSignals.readerIsGone() { return }
            FollowSignals.pause(seconds: Self.pollInterval)
        }
    }

    /// How often --follow asks the database for new entries.
    static let pollInterval = 0.5
}
