import AccountsCore
import ArgumentParser

struct RegisterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Create an inactive account and mail its activation link.",
        discussion: """
            Prints the activation URL alone on stdout, so url=$(accounts register …) works.
            Without a password option the account gets Django's unusable password.
            If the mail cannot be sent the account is kept (inactive); retry with send-activation.
            """
    )

    @Argument(help: ArgumentHelp("Login name: letters, digits and . @ + - _, at most 150.", valueName: "user-id"))
    var userID: String

    @Argument(help: "Email address to send the activation link to.")
    var email: String

    @Option(help: "Level (default: DEFAULT_LEVEL, \"2\").")
    var level: String?

    @Option(help: "Department (default: DEFAULT_DEPARTMENT).")
    var department: String?

    @Flag(help: "Read the password from standard input.")
    var passwordStdin = false

    @Flag(help: "Ask for the password on the terminal.")
    var promptPassword = false

    @Flag(help: "Create the account and print the link, but send no mail.")
    var noSend = false

    @Option(help: "Output: text (the URL) or json.")
    var format: ResultFormat = .text

    @OptionGroup var mailOptions: MailOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if passwordStdin && promptPassword {
            throw ValidationError("--password-stdin and --prompt-password cannot be used together")
        }
    }

    func run() throws {
        let context = try CommandContext(global, mail: mailOptions)
        let password: String? = passwordStdin ? try PasswordInput.fromStandardInput() : promptPassword ? try PasswordInput.prompt() : nil
        let secrets = try context.secrets()
        let tokens = context.tokens(secrets)
        let mail = noSend ? nil : try context.mail(secrets)
        let workflow = RegisterWorkflow(store: try context.store(create: true), links: context.links(tokens), mail: mail)
        let outcome = try workflow.register(.init(
            userID: userID, email: email, password: password,
            level: level ?? context.settings.defaultLevel, department: department ?? context.settings.defaultDepartment,
            sendMail: !noSend))
        ActivationOutput.print(outcome, format: format)
        let delivery = outcome.deliveredTo.map { "activation mail sent to \($0)" } ?? "no mail sent (--no-send)"
        context.info("registered '\(outcome.user.userID)' <\(outcome.user.email)> (inactive); \(delivery)")
    }
}
