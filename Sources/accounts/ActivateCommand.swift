import AccountsCore
import ArgumentParser
import Foundation

struct ActivateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activate",
        abstract: "Activate an account from its activation link.",
        discussion: """
            Give the URL as pasted from the mail (any host; the last two path segments count), or the
            uid and token, or - to read the URL from standard input (keeping it out of ps).
            Activation sets is_active, last_login and activated_at, which also makes the link
            single-use. Exit 0 only when the account was activated; otherwise 65 for an invalid,
            expired or already used link, 67 when the account does not exist.
            """
    )

    @Argument(help: ArgumentHelp("The activation URL, or its uid and token, or - for the URL on standard input.", valueName: "url | uid token | -"))
    var link: [String] = []

    @Option(help: "Output: text (nothing on stdout) or json.")
    var format: ResultFormat = .text

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard (1...2).contains(link.count) else {
            throw ValidationError("give the activation URL, or the uid and the token (\(link.count) arguments given)")
        }
    }

    func run() throws {
        let parsed: ActivationLink
        if link.count == 2 {
            parsed = ActivationLink(uid: link[0], token: link[1])
        } else {
            let text = link[0] == "-" ? try Self.readStandardInput() : link[0]
            guard text.utf8.count <= ActivationLink.maximumLength else {
                throw AccountsError(.badData, "invalid activation link: \(text.utf8.count) bytes, longer than any link (at most \(ActivationLink.maximumLength))")
            }
            guard let fromURL = ActivationLink(pasted: text) else {
                throw AccountsError(.badData, "invalid activation link: '\(printable(text, limit: 100))' does not end in /<uid>/<token>/")
            }
            parsed = fromURL
        }
        let context = try CommandContext(global)
        let workflow = ActivateWorkflow(store: try context.store(), tokens: context.tokens(try context.secrets()))
        let outcome = try workflow.activate(parsed)
        if format == .json {
            Output.standardOutput.line(JSONWriter.object([
                ("id", .int(outcome.user.id)),
                ("user_id", .string(outcome.user.userID)),
                ("email", .string(outcome.user.email)),
                ("activated_at", .string(outcome.user.activatedAt?.iso8601 ?? "")),
                ("key", .string(outcome.keyIndex == 0 ? "SECRET_KEY" : "SECRET_KEY_FALLBACKS[\(outcome.keyIndex - 1)]")),
            ]))
        }
        let key = outcome.keyIndex == 0 ? "" : " (link signed with SECRET_KEY_FALLBACKS[\(outcome.keyIndex - 1)])"
        context.info("activated '\(outcome.user.userID)' <\(outcome.user.email)>\(key)")
    }

    /// The link piped in: UTF-8, read up to a bound so that a runaway pipe cannot exhaust memory.
    private static func readStandardInput() throws -> String {
        let limit = 1 << 20
        let data = FileHandle.standardInput.readData(ofLength: limit + 1)
        guard data.count <= limit else {
            throw AccountsError(.badData, "invalid activation link: more than \(limit) bytes on standard input")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw AccountsError(.badData, "invalid activation link: standard input is not UTF-8 text")
        }
        return text
    }
}
