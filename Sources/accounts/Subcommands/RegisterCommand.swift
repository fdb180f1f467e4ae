import AccountsCLI
import AccountsCore
import ArgumentParser

struct RegisterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Create an inactive account and mail its activation link; or many, from a CSV file.",
        discussion: """
            Prints the activation URL alone on stdout, so url=$(accounts register …) works. Without a \
            password option the account gets Django's unusable password. If the mail cannot be sent the \
            account is kept (inactive) and the mail waits in the outbox (see accounts outbox).

            --from-csv FILE (- for stdin): a header row naming user_id and email (and optionally level \
            and department), then one account per row. Every row is checked first and all bad rows are \
            reported with their line numbers before anything is written (or skipped, with \
            --skip-invalid); the accounts go in with one transaction; then the mails go out over \
            --concurrency SMTP connections, with progress on stderr and a summary at the end. Running \
            the same file again registers nothing twice and mails only the accounts never mailed. Exit 0 \
            when every mail went out, 75 when some will be retried, else the first failure's code.
            """
    )

    @Argument(help: ArgumentHelp("Login name: letters, digits and . @ + - _, at most 150.", valueName: "user-id"))
    var userID: String?

    @Argument(help: "Email address to send the activation link to.")
    var email: String?

    @Option(help: ArgumentHelp("Register every account in this CSV file (- for standard input).", valueName: "file"))
    var fromCSV: String?

    @Flag(help: "With --from-csv: register the valid rows and skip the others (reported) instead of stopping.")
    var skipInvalid = false

    @Option(help: "With --from-csv: how many mails to send at once, each over its own connection (1-32).")
    var concurrency = 4

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
        if fromCSV != nil {
            guard userID == nil else { throw ValidationError("give either a user-id and email, or --from-csv FILE, not both") }
            guard !passwordStdin && !promptPassword else {
                throw ValidationError("--from-csv accounts get the unusable password; the password options are for one account")
            }
            guard level == nil && department == nil else {
                throw ValidationError("with --from-csv, level and department come from the file's columns (or DEFAULT_LEVEL, DEFAULT_DEPARTMENT)")
            }
        } else {
            guard userID != nil && email != nil else { throw ValidationError("give the user-id and the email, or --from-csv FILE") }
            guard !skipInvalid else { throw ValidationError("--skip-invalid goes with --from-csv") }
        }
        guard (1...32).contains(concurrency) else { throw ValidationError("--concurrency must be from 1 to 32") }
    }

    func run() throws {
        let context = try CommandContext(global, mail: mailOptions)
        if let fromCSV {
            return try RegisterFromCSV(file: fromCSV, skipInvalid: skipInvalid, concurrency: concurrency,
                                       sendMail: !noSend, format: format).run(context)
        }
        guard let userID, let email else { return }
        let password: String? = passwordStdin ? try PasswordInput.fromStandardInput() : promptPassword ? try PasswordInput.prompt() : nil
        let secrets = try context.secrets()
        let tokens = context.tokens(secrets)
        let mail = noSend ? nil : try context.mail(secrets)
        let workflow = RegisterWorkflow(store: try context.store(create: true), links: context.links(tokens), mail: mail, hasher: context.hasher())
        let outcome = try workflow.register(.init(
            userID: userID, email: email, password: password,
            level: level ?? context.settings.defaultLevel, department: department ?? context.settings.defaultDepartment,
            sendMail: !noSend))
        ActivationOutput.print(outcome, format: format)
        let delivery = outcome.deliveredTo.map { "activation mail sent to \($0)" } ?? "no mail sent (--no-send)"
        context.info("registered '\(outcome.user.userID)' <\(outcome.user.email)> (inactive); \(delivery)")
    }
}
