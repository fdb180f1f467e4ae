import AccountsCLI
import AccountsCore
import ArgumentParser

struct OutboxListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List outbox rows, oldest first.")

    @Option(help: ArgumentHelp("Only rows in this state: queued, sending, sent, failed-temporary or failed-permanent.", valueName: "state"))
    var state: String?

    @Option(help: "Only the newest this many rows (still shown oldest first).")
    var limit: Int?

    @Option(help: "Output: table (for people), json or csv.")
    var format: ListFormat = .table

    @OptionGroup var global: GlobalOptions

    private static let columns: [RowWriter.Column] = [
        .init("id", table: "ID", width: 6),
        .init("account_id"),
        .init("user_id", table: "ACCOUNT", width: 16),
        .init("recipient", table: "RECIPIENT", width: 28),
        .init("state", table: "STATE", width: 16),
        .init("attempts", table: "TRIES", width: 5),
        .init("last_code", table: "CODE", width: 4),
        .init("last_reply", table: "LAST REPLY", width: 40),
        .init("created_at"),
        .init("updated_at", table: "UPDATED (UTC)", width: 16),
        .init("next_attempt_at"),
        .init("sent_at"),
        .init("kind"),
    ]

    func validate() throws {
        if let state, OutboxState(rawValue: state) == nil {
            throw ValidationError("--state '\(printable(state))' is not one of \(OutboxState.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        let context = try CommandContext(global)
        let store = try context.store()
        var writer = RowWriter(format: format, output: Output.standardOutput, columns: Self.columns)
        writer.begin()
        try store.forEachOutboxEntry(state: state.flatMap(OutboxState.init(rawValue:)), limit: limit) { entry in
            writer.row([
                .int(entry.id), .int(entry.accountID), .text(entry.userID), .text(entry.recipient), .text(entry.state.rawValue),
                .int(Int64(entry.attempts)), .int(entry.lastCode.map(Int64.init)), .text(entry.lastReply),
                .date(entry.createdAt), .date(entry.updatedAt), .date(entry.nextAttemptAt), .date(entry.sentAt),
                .text(entry.kind.rawValue),
            ])
        }
        writer.end()
    }
}
