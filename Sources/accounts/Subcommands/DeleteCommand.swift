import AccountsCore
import ArgumentParser
import Foundation

struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete an account (archived, so that restore can put it back).",
        discussion: """
            The account is archived whole into purged_users, exactly as purge-expired archives,
            and deleted, in one transaction with its audit entry; `accounts restore USER` puts it
            back under its old id. Asks on a terminal; anywhere else --yes is required (64
            without it), so that a script never deletes by accident.
            """
    )

    @Argument(help: ArgumentHelp("The account's user_id or email.", valueName: "user"))
    var user: String

    @Flag(name: [.customShort("y"), .long], help: "Delete without asking.")
    var yes = false

    @Option(help: "Output: text or json.")
    var format: ResultFormat = .text

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let context = try CommandContext(global)
        let store = try context.store()
        let account = try store.requireUser(matching: user)
        if !yes {
            guard isatty(0) == 1, isatty(2) == 1 else {
                throw AccountsError(.usage, "delete asks before it deletes, and there is no terminal to ask on; pass --yes")
            }
            let state = ActivationWindow.state(of: account, cutoff: context.window().cutoff(at: .now()))
            StandardError.write("Delete account '\(printable(account.userID))' <\(printable(account.email))> (\(state.rawValue), id \(account.id))? [y/N] ")
            let answer = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces).lowercased()
            guard answer == "y" || answer == "yes" else {
                throw AccountsError(.usage, "not deleted: the answer was not yes")
            }
        }
        try AccountAdministration(store: store).delete(account)
        if format == .json {
            Output.standardOutput.line(JSONWriter.object(AccountOutput.fields(account) + [("deleted", .bool(true))]))
        }
        context.info("deleted '\(account.userID)' <\(account.email)>, id \(account.id); archived: accounts restore \(account.userID) puts it back")
    }
}
