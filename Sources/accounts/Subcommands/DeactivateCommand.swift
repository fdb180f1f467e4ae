import AccountsCLI
import AccountsCore
import ArgumentParser

struct DeactivateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deactivate",
        abstract: "Switch an active account off (is_active false).",
        discussion: """
            The administrator's switch, recorded in the audit log. A deactivated account keeps its data, \
            is never purged, and no activation link turns it back on (only reactivate does). An account \
            never activated is not active to begin with (65): delete it instead, or let purge-expired \
            remove it once its link has expired.
            """
    )

    @OptionGroup var account: AccountSelection

    @Option(help: "Output: text or json.")
    var format: ResultFormat = .text

    @OptionGroup var global: GlobalOptions

    func validate() throws { _ = try account.required() }

    func run() throws {
        let context = try CommandContext(global)
        let change = try AccountAdministration(store: try context.store()).setActive(try account.required(), false)
        AccountOutput.change(change, format: format)
        ChangeMessages.report(change, context: context, action: "deactivated")
    }
}
