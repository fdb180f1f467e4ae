import AccountsCLI
import AccountsCore
import ArgumentParser

struct ReactivateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reactivate",
        abstract: "Switch an account on (is_active true), without a link.",
        discussion: """
            The administrator's switch, recorded in the audit log. Also activates an account that was \
            never activated (no link is used: the administrator vouches for the address); the database \
            records the activation either way, so the account is never purged.
            """
    )

    @OptionGroup var account: AccountSelection

    @Option(help: "Output: text or json.")
    var format: ResultFormat = .text

    @OptionGroup var global: GlobalOptions

    func validate() throws { _ = try account.required() }

    func run() throws {
        let context = try CommandContext(global)
        let change = try AccountAdministration(store: try context.store()).setActive(try account.required(), true)
        AccountOutput.change(change, format: format)
        ChangeMessages.report(change, context: context, action: "activated")
    }
}
