import AccountsCore
import ArgumentParser
import Foundation

/// How both executables run a command: hardened first, then every failure turned into one line
/// on stderr and a sysexits code, in one place.
package enum CommandLineMain {
    package static func run<Root: ParsableCommand>(_ root: Root.Type, arguments: [String]? = nil) -> Never {
        ProcessHardening.apply()
        do {
            try refuseUnknownSubcommand(of: root, arguments ?? Array(CommandLine.arguments.dropFirst()))
            var command = try root.parseAsRoot(arguments)
            try command.run()
            Output.standardOutput.flush()
            Foundation.exit(0)
        } catch let error as AccountsError {
            // What a failed command left in the buffer is not data a script should read (a table
            // header before a damaged row, say); what a streaming command already wrote stays.
            Output.standardOutput.discard()
            Output.error(error.message + Hints.text(error.hint))
            Foundation.exit(ExitCodes.code(for: error.kind))
        } catch {
            Output.standardOutput.flush()
            let code = root.exitCode(for: error)
            if code == .success {
                // --help and --version: the full text, on stdout.
                print(root.fullMessage(for: error))
                Foundation.exit(0)
            }
            if error is ExitCode { Foundation.exit(code.rawValue) }
            let message = root.message(for: error).split(whereSeparator: \.isNewline).joined(separator: "; ")
            Output.error("\(message) (see 'accounts help')")
            Foundation.exit(code.rawValue)
        }
    }

    /// `accounts lst`: ArgumentParser would call it an unexpected argument; say which command
    /// was meant, as it does for a mistyped option.
    private static func refuseUnknownSubcommand<Root: ParsableCommand>(of root: Root.Type, _ arguments: [String]) throws {
        let names = root.configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
        guard names.count > 1, let first = arguments.first, !first.hasPrefix("-"), !names.contains(first) else { return }
        let meant = Suggestion.closest(to: first, among: names).map { "; did you mean '\($0)'?" } ?? ""
        throw AccountsError(.usage, "'\(printable(first))' is not an accounts command\(meant) (see 'accounts help')")
    }
}
