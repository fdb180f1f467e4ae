import AccountsCLI
import AccountsCore
import ArgumentParser
import Foundation

@main
struct Accounts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accounts",
        abstract: "Administer the user accounts of a site: register, mail activation links, activate, list, purge, audit.",
        discussion: """
            Works on a user table shared with a Django site (same SECRET_KEY, same tokens), in a SQLite \
            file or a PostgreSQL database (--database postgresql://…). Settings: settings.json (or \
            --settings / ACCOUNTS_SETTINGS), ACCOUNTS_<NAME> environment variables, then flags. Secrets: \
            secrets.json (or --secrets / ACCOUNTS_SECRETS).

            Exit codes: 0 ok, 64 usage, 65 bad data (invalid or expired link, bad email, duplicate), 66 \
            no database, 67 no such user, 69 service unavailable, 73 cannot create, 74 I/O error, 75 try \
            again later, 78 configuration.
            """,
        version: "0.2.0",
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
            CheckCommand.self,
            CheckSMTPCommand.self,
            ServeCommand.self,
        ]
    )

    /// Runs the command and turns every failure into one line on stderr and a sysexits code.
    static func main() {
        CommandLineMain.run(Accounts.self)
    }
}
