import AccountsCLI
import AccountsCore
import ArgumentParser

struct SetPasswordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-password",
        abstract: "Set an account's password (Django's pbkdf2_sha256), or make it unusable.",
        discussion: """
            The password is read from standard input (--password-stdin) or asked twice on the terminal \
            (--prompt-password), never taken as an argument; --unusable gives the account Django's \
            unusable password. The token of every activation link covers the password hash, so links \
            already mailed stop working. Recorded in the audit log, without the password or its hash.
            """
    )

    @OptionGroup var account: AccountSelection

    @Flag(help: "Read the password from standard input.")
    var passwordStdin = false

    @Flag(help: "Ask for the password on the terminal.")
    var promptPassword = false

    @Flag(help: "Make the password unusable (no login with a password).")
    var unusable = false

    @Option(help: "Output: text or json.")
    var format: ResultFormat = .text

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        _ = try account.required()
        guard [passwordStdin, promptPassword, unusable].filter({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --password-stdin, --prompt-password, --unusable")
        }
    }

    func run() throws {
        let context = try CommandContext(global)
        let password: String? = passwordStdin ? try PasswordInput.fromStandardInput()
            : promptPassword ? try PasswordInput.prompt() : nil
        let change = try AccountAdministration(store: try context.store()).setPassword(try account.required(), to: password, hasher: context.hasher())
        AccountOutput.change(change, format: format)
        ChangeMessages.report(change, context: context, action: password == nil ? "given an unusable password" : "given a new password")
    }
}
