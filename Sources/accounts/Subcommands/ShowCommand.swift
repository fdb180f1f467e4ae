import AccountsCLI
import AccountsCore
import ArgumentParser

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one account: every field but the password hash, its state, its link, its last mail and events.",
        discussion: """
            USER is a user_id, or an email (ignoring case). Shows whether the password is usable (never \
            the hash), the state as list gives it, when the current activation link expires, the newest \
            outbox row and the last \(AccountReport.recentEventCount) audit entries. With --archived, \
            every archived copy (purged or deleted) with that user_id or email, newest first. Exit 67 \
            when there is none. Changes nothing.
            """
    )

    @OptionGroup var account: AccountSelection

    @Flag(help: "Show the archived copies of a purged or deleted account instead.")
    var archived = false

    @Option(help: "Output: text or json.")
    var format: ResultFormat = .text

    @OptionGroup var global: GlobalOptions

    func validate() throws { _ = try account.required() }

    func run() throws {
        let context = try CommandContext(global)
        let store = try context.store()
        if archived {
            AccountOutput.archived(try AccountReport.archived(try account.required(), store: store), format: format)
        } else {
            AccountOutput.report(try AccountReport.current(try account.required(), store: store, window: context.window()), format: format)
        }
    }
}
