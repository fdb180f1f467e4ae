import AccountsCLI
import AccountsCore
import ArgumentParser

struct UpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change an account's email, user_id, level or department.",
        discussion: """
            The new values are checked as register checks them; a user_id or email another account has \
            is refused (65) naming it. An account's email is part of its activation token: on an account \
            never activated, changing it kills every link already mailed, and a fresh link goes to the \
            new address (unless --no-send; the cooldown of send-activation applies). On an active \
            account the change is an administrator's act: no mail, no verification of the new address. \
            Recorded in the audit log; --level "" or --department "" clears the field. Prints the fresh \
            link's URL when one was made. Here --user-id and --email are the new values, so the account \
            is named by USER or --id.
            """
    )

    @OptionGroup var account: AccountByUserOrID

    @Option(help: "New email address.")
    var email: String?

    @Option(name: .customLong("user-id"), help: ArgumentHelp("New user_id.", valueName: "user-id"))
    var newUserID: String?

    @Option(help: "New level (\"\" clears it).")
    var level: String?

    @Option(help: "New department (\"\" clears it).")
    var department: String?

    @Flag(help: "Make the fresh link after an email change and print it, but send no mail.")
    var noSend = false

    @Option(help: "Output: text or json.")
    var format: ResultFormat = .text

    @OptionGroup var mailOptions: MailOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard email != nil || newUserID != nil || level != nil || department != nil else {
            throw ValidationError("say what to change: --email, --user-id, --level or --department")
        }
    }

    func run() throws {
        let context = try CommandContext(global, mail: mailOptions)
        let store = try context.store()
        var administration = AccountAdministration(store: store)
        if email != nil {
            // Only an email change needs a link, and so the secrets.
            let secrets = try context.secrets()
            administration = AccountAdministration(store: store, links: context.links(context.tokens(secrets)),
                                                   mail: noSend ? nil : try context.mail(secrets), cooldown: context.settings.activationCooldown)
        }
        let change = try administration.update(account.reference, AccountAdministration.Update(userID: newUserID, email: email, level: level,
                                                                                  department: department))
        AccountOutput.change(change, format: format)
        ChangeMessages.report(change, context: context, action: "updated")
    }
}
