import AccountsCore

/// The one place where the core's hints become commands to run: the core says what is true, the
/// command line says what to type next.
package enum Hints {
    package static func text(_ hint: AccountsError.Hint?) -> String {
        guard let hint else { return "" }
        switch hint {
        case .sendNewLink(let userID):
            return "; send a new one with: accounts send-activation \(userID)"
        case .checkAddressThenSendNewLink(let userID):
            return "; check the address, then: accounts send-activation \(userID)"
        case .sendWaitingMail(let userID):
            return "; send it with: accounts send-activation \(userID) (or all that wait: accounts outbox retry)"
        case .outboxRetrySendsIt:
            return " (it stays in the outbox: accounts outbox retry)"
        case .outboxRetrySendsThem(let from):
            return ": accounts outbox retry sends them" + (from.map { " from \(String($0.wholeSecondsText.prefix(16))) UTC" } ?? "")
        case .seeOutbox:
            return "; see: accounts outbox"
        case .forceSkipsCooldown:
            return ", or pass --force"
        case .createDatabase:
            return " (create one with 'accounts init', or pass --database or set ACCOUNTS_DATABASE)"
        case .createSecrets:
            return "; create one with 'accounts init' (its shape is in secrets.example.json), or point --secrets or ACCOUNTS_SECRETS at it"
        case .newSecretsHaveARandomKey:
            return "; 'accounts init' writes a new file with a random one"
        case .allowInsecureSecrets:
            return ", or pass --allow-insecure-secrets"
        case .seePurgeLog:
            return " (see: accounts log --action purge)"
        case .databasePassword:
            return "; give the password in ~/.pgpass (or PGPASSFILE), PGPASSWORD, or DATABASE_PASSWORD in the secrets file"
        case .passwordNotInURI:
            return "; leave it out of the URI and put it in ~/.pgpass (or PGPASSFILE), PGPASSWORD, or DATABASE_PASSWORD in the secrets file"
        case .createPostgresDatabase:
            return " (create it first, e.g. createdb, then run 'accounts init')"
        case .createSchema:
            return " (create them with 'accounts init', or check --database)"
        case .purgeRunning:
            return "; try again when it has finished"
        case .makeDirectory(let directory):
            return "; make it first: mkdir -p \(directory)"
        case .directoryOfYourOwn(let directory, let user):
            return "; work in a directory of your own (mkdir -p ~/accounts && cd ~/accounts), or have it made yours: sudo chown \(user) \(directory)"
        case .verifiedTLSRequired:
            return "; on a connection to another machine accounts asks for sslmode=verify-full, so that the password never goes to a server it has not verified: give the server's CA with sslrootcert=FILE in the URI (or in ~/.postgresql/root.crt), or accept the risk with sslmode=require, prefer or disable in the URI"
        case .nameOneAccount(let ids):
            return "; name one with --id (" + ids.map { "--id \($0)" }.joined(separator: " or ") + "), --user-id or --email"
        case .importIntoEmptyOrAppend:
            return "; import into a new one, or add to it with --append"
        }
    }
}
