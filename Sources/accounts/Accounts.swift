import AccountsCore
import ArgumentParser
import Foundation

@main
struct Accounts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accounts",
        abstract: "Administer the user accounts of a site: register, mail activation links, activate, list, purge, audit.",
        discussion: """
            Works on a user table shared with a Django site (same SECRET_KEY, same tokens), in a
            SQLite file or a PostgreSQL database (--database postgresql://…).
            Settings: settings.json (or --settings / ACCOUNTS_SETTINGS), ACCOUNTS_<NAME> environment
            variables, then flags. Secrets: secrets.json (or --secrets / ACCOUNTS_SECRETS).

            Exit codes: 0 ok, 64 usage, 65 bad data (invalid or expired link, bad email, duplicate),
            66 no database, 67 no such user, 69 service unavailable, 73 cannot create, 74 I/O error,
            75 try again later, 78 configuration.
            """,
        version: "0.1.0",
        subcommands: [
            InitCommand.self,
            RegisterCommand.self,
            SendActivationCommand.self,
            ActivateCommand.self,
            InspectCommand.self,
            ListCommand.self,
            PurgeExpiredCommand.self,
            RestoreCommand.self,
            ShowCommand.self,
            UpdateCommand.self,
            SetPasswordCommand.self,
            DeactivateCommand.self,
            ReactivateCommand.self,
            DeleteCommand.self,
            StatsCommand.self,
            OutboxCommand.self,
            LogCommand.self,
            ExportCommand.self,
            ImportCommand.self,
            CheckSMTPCommand.self,
            ServeCommand.self,
        ]
    )

    /// Runs the command and turns every failure into one line on stderr and a sysexits code.
    static func main() {
        ProcessHardening.apply()
        do {
            var command = try parseAsRoot()
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
            let code = exitCode(for: error)
            if code == .success {
                // --help and --version: the full text, on stdout.
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            if error is ExitCode { Foundation.exit(code.rawValue) }
            let message = self.message(for: error).split(whereSeparator: \.isNewline).joined(separator: "; ")
            Output.error("\(message) (see 'accounts help')")
            Foundation.exit(code.rawValue)
        }
    }
}
