import AccountsCore
import ArgumentParser

struct SendActivationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send-activation",
        abstract: "Mail a fresh activation link to a pending account.",
        discussion: """
            Refuses an active account. At most one mail per ACTIVATION_COOLDOWN seconds (default 60)
            per account unless --force, so a loop cannot flood a mailbox. Prints the new URL.
            """
    )

    @Argument(help: ArgumentHelp("The account's user_id or email.", valueName: "user"))
    var user: String

    @Flag(help: "Send even if the last mail went out within the cooldown.")
    var force = false

    @Option(help: "Output: text (the URL) or json.")
    var format: ResultFormat = .text

    @OptionGroup var mailOptions: MailOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let context = try CommandContext(global, mail: mailOptions)
        let secrets = try context.secrets()
        let workflow = SendActivationWorkflow(store: try context.store(), links: context.links(context.tokens(secrets)),
                                              mail: try context.mail(secrets), cooldown: context.settings.activationCooldown)
        let outcome = try workflow.send(to: user, force: force)
        ActivationOutput.print(outcome, format: format)
        context.info("activation mail for '\(outcome.user.userID)' sent to \(outcome.deliveredTo ?? "?")")
    }
}
