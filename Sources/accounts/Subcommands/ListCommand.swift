import AccountsCLI
import AccountsCore
import ArgumentParser

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List accounts, one row at a time.",
        discussion: """
            States: active; pending (never activated, link window still open); expired (never activated, \
            window passed: what purge-expired deletes); inactive (deactivated after having been active). \
            Password hashes are never shown. json is one array of objects, csv has a header row; \
            datetimes are UTC, RFC 3339 in json and csv.
            """
    )

    enum StateFilter: String, ExpressibleByArgument, CaseIterable {
        case all, active, pending, expired, inactive
    }

    @Option(help: "Which accounts: all, active, pending, expired or inactive.")
    var state: StateFilter = .all

    @Option(help: "Output: table (for people), json or csv.")
    var format: ListFormat = .table

    @Option(help: "At most this many rows.")
    var limit: Int?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        let context = try CommandContext(global)
        let store = try context.store()
        let now = UTCDateTime.now()
        let cutoff = context.window().cutoff(at: now)
        var writer = UserRowWriter(format: format, output: Output.standardOutput)
        writer.begin()
        try store.forEachUser(state: state == .all ? nil : AccountState(rawValue: state.rawValue),
                              expiryCutoff: cutoff, limit: limit) { user in
            writer.row(user, state: ActivationWindow.state(of: user, cutoff: cutoff))
        }
        writer.end()
    }
}
