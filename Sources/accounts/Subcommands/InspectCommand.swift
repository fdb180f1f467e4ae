import AccountsCLI
import AccountsCore
import ArgumentParser

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Say what an activation link is for and whether activate would accept it; change nothing.",
        discussion: """
            Prints the account the link is for, when it was issued and expires, which key signed it, and \
            whether 'accounts activate' would accept it now. When it would not, the reason also goes to \
            stderr and the exit code is the one activate would give: 65 invalid, expired or already \
            active, 67 no such account. Issue time and key are known only when the token's signature \
            checks out (for a link already used: as it was before use).
            """
    )

    @OptionGroup var link: LinkArguments

    @Option(help: "Output: text or json.")
    var format: ResultFormat = .text

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let context = try CommandContext(global)
        let parsed = try link.parsed(context.linkTemplate)
        let store = try context.store()
        let workflow = ActivateWorkflow(store: store, tokens: context.tokens(try context.secrets()))
        let now = UTCDateTime.now()
        let found = try workflow.examine(parsed, at: now)
        let cutoff = context.window().cutoff(at: now)
        let state = found.user.map { ActivationWindow.state(of: $0, cutoff: cutoff).rawValue }
        let key = found.keyIndex.map(TokenGenerator.keyName)
        switch format {
        case .json:
            func date(_ value: UTCDateTime?) -> JSONWriter.Value { value.map { .string($0.iso8601) } ?? .null }
            Output.standardOutput.line(JSONWriter.object([
                ("account_id", found.accountID.map { .int($0) } ?? .null),
                ("user_id", found.user.map { .string($0.userID) } ?? .null),
                ("email", found.user.map { .string($0.email) } ?? .null),
                ("state", state.map { .string($0) } ?? .null),
                ("issued_at", date(found.issuedAt)),
                ("expires_at", date(found.expiresAt)),
                ("key", key.map { .string($0) } ?? .null),
                ("would_activate", .bool(found.refusal == nil)),
                ("reason", found.refusal.map { .string($0.message) } ?? .null),
            ]))
        case .text:
            func line(_ label: String, _ value: String) {
                Output.standardOutput.line(label.padding(toLength: 10, withPad: " ", startingAt: 0) + value)
            }
            if let user = found.user {
                line("account", "\(printable(user.userID)) <\(printable(user.email))>, id \(user.id), \(state ?? "?")")
            } else {
                line("account", found.accountID.map { "#\($0), which does not exist" } ?? "none: the uid is not an account id")
            }
            line("issued", found.issuedAt.map { $0.wholeSecondsText + " UTC" } ?? "unknown (the token does not check out)")
            line("expires", found.expiresAt.map { $0.wholeSecondsText + " UTC" } ?? "unknown")
            line("signed by", key ?? "unknown: no current or fallback key made this token")
            line("activate", found.refusal.map { "would refuse it: \($0.message)\(Hints.text($0.hint))" } ?? "would accept this link")
        }
        if let refusal = found.refusal {
            Output.standardOutput.flush()
            throw refusal.accountsError
        }
    }
}
