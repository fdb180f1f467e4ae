import AccountsCLI
import AccountsCore
import ArgumentParser

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put a purged account back and mail it a fresh activation link.",
        discussion: """
            Takes the latest copy of the account from purged_users and puts it back as it was, with its \
            old id, still inactive. Its activation window restarts now, so the next purge-expired does \
            not delete it again at once. Refused if its user_id or email has been registered again \
            since. Prints the new activation URL, like register.
            """
    )

    @OptionGroup var account: AccountSelection

    @Flag(help: "Restore and print the link, but send no mail.")
    var noSend = false

    @Option(help: "Output: text (the URL) or json.")
    var format: ResultFormat = .text

    @OptionGroup var mailOptions: MailOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws { _ = try account.required() }

    func run() throws {
        let context = try CommandContext(global, mail: mailOptions)
        let secrets = try context.secrets()
        let mail = noSend ? nil : try context.mail(secrets)
        let workflow = RestoreWorkflow(store: try context.store(), links: context.links(context.tokens(secrets)), mail: mail)
        let outcome = try workflow.restore(try account.required())
        ActivationOutput.print(outcome, format: format)
        let delivery = outcome.deliveredTo.map { "activation mail sent to \($0)" } ?? "no mail sent (--no-send)"
        context.info("restored '\(outcome.user.userID)' <\(outcome.user.email)> (inactive, id \(outcome.user.id)); \(delivery)")
    }
}
