import AccountsCLI
import AccountsCore
import ArgumentParser

struct ActivateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activate",
        abstract: "Activate an account from its activation link.",
        discussion: """
            Give the URL as pasted from the mail (any host; read as ACTIVATION_URL places the uid and token, or its last two path segments), or the \
            uid and token, or - to read the URL from standard input (keeping it out of ps). Activation \
            sets is_active, last_login and activated_at, which also makes the link single-use. Exit 0 \
            only when the account was activated; otherwise 65 for an invalid, expired or already used \
            link, 67 when the account does not exist.
            """
    )

    @OptionGroup var link: LinkArguments

    @Option(help: "Output: text (nothing on stdout) or json.")
    var format: ResultFormat = .text

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let context = try CommandContext(global)
        let parsed = try link.parsed(context.linkTemplate)
        let workflow = ActivateWorkflow(store: try context.store(), tokens: context.tokens(try context.secrets()))
        let outcome = try workflow.activate(parsed)
        if format == .json {
            Output.standardOutput.line(JSONWriter.object([
                ("id", .int(outcome.user.id)),
                ("user_id", .string(outcome.user.userID)),
                ("email", .string(outcome.user.email)),
                ("activated_at", .string(outcome.user.activatedAt?.iso8601 ?? "")),
                ("key", .string(TokenGenerator.keyName(outcome.keyIndex))),
            ]))
        }
        let key = outcome.keyIndex == 0 ? "" : " (link signed with \(TokenGenerator.keyName(outcome.keyIndex)))"
        context.info("activated '\(outcome.user.userID)' <\(outcome.user.email)>\(key)")
    }
}
