import AccountsCLI
import AccountsCore
import ArgumentParser
import Foundation

struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete an account (archived, so that restore can put it back).",
        discussion: """
            The account is archived whole into purged_users, exactly as purge-expired archives, and \
            deleted, in one transaction with its audit entry; `accounts restore USER` puts it back under \
            its old id. Asks on a terminal; anywhere else --yes is required (64 without it), so that a \
            script never deletes by accident.
            """
    )

    @OptionGroup var account: AccountSelection

    @Flag(name: [.customShort("y"), .long], help: "Delete without asking.")
    var yes = false

    @Option(help: "Output: text or json.")
    var format: ResultFormat = .text

    @OptionGroup var global: GlobalOptions

    func validate() throws { _ = try account.required() }

    func run() throws {
        let context = try CommandContext(global)
        let store = try context.store()
        let target = try store.requireUser(matching: try account.required())
        if !yes {
            guard isatty(0) == 1, isatty(2) == 1 else {
                throw AccountsError(.usage, "delete asks before it deletes, and there is no terminal to ask on; pass --yes")
            }
            let state = ActivationWindow.state(of: target, cutoff: context.window().cutoff(at: .now()))
            StandardError.write("Delete account '\(printable(target.userID))' <\(printable(target.email))> (\(state.rawValue), id \(target.id))? [y/N] ")
            let answer = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces).lowercased()
            guard answer == "y" || answer == "yes" else {
                throw AccountsError(.usage, "not deleted: the answer was not yes")
            }
        }
        try AccountAdministration(store: store).delete(target)
        if format == .json {
            Output.standardOutput.line(JSONWriter.object(AccountOutput.fields(target) + [("deleted", .bool(true))]))
        }
        context.info("deleted '\(target.userID)' <\(target.email)>, id \(target.id); archived: accounts restore --id \(target.id) puts it back")
    }
}
