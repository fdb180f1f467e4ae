import AccountsCore
import ArgumentParser

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one account: every field but the password hash, its state, its link, its last mail and events.",
        discussion: """
            USER is a user_id, or an email (ignoring case). Shows whether the password is usable
            (never the hash), the state as list gives it, when the current activation link
            expires, the newest outbox row and the last \(AccountReport.recentEventCount) audit
            entries. With --archived, every archived copy (purged or deleted) with that user_id or
            email, newest first. Exit 67 when there is none. Changes nothing.
            """
    )

    @Argument(help: ArgumentHelp("The account's user_id or email.", valueName: "user"))
    var user: String

    @Flag(help: "Show the archived copies of a purged or deleted account instead.")
    var archived = false

    @Option(help: "Output: text or json.")
    var format: ResultFormat = .text

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let context = try CommandContext(global)
        let store = try context.store()
        if archived {
            AccountOutput.archived(try AccountReport.archived(user, store: store), format: format)
        } else {
            AccountOutput.report(try AccountReport.current(user, store: store, window: context.window()), format: format)
        }
    }
}
