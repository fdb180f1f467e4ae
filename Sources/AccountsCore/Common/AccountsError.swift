/// An error the tool reports to its user: one line of text and the kind of failure.
///
/// The core says *what kind* of failure happened and what is true; the executable turns the kind
/// into a sysexits code and the hint into the command to run next, each in one place
/// (`ExitCodes`, `Hints`). Messages never contain secrets, and never name a command or a flag:
/// another front end (a web page) gives other advice.
public struct AccountsError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The command line was wrong (EX_USAGE, 64).
        case usage
        /// The input data was wrong: bad email, duplicate, invalid or expired link (EX_DATAERR, 65).
        case badData
        /// An input file does not exist, such as the database for a read command (EX_NOINPUT, 66).
        case noInput
        /// No account matches (EX_NOUSER, 67).
        case noSuchUser
        /// A service the tool needs is not available: mail server, unreadable database (EX_UNAVAILABLE, 69).
        case unavailable
        /// Something could not be created because it already exists (EX_CANTCREAT, 73).
        case cannotCreate
        /// Reading or writing a file failed (EX_IOERR, 74).
        case ioError
        /// Worth trying again later: busy database, cooldown, temporary mail failure (EX_TEMPFAIL, 75).
        case temporary
        /// Settings or secrets are missing or wrong (EX_CONFIG, 78).
        case configuration
    }

    /// What the user can do next, for a front end to put in its own words.
    public enum Hint: Sendable, Equatable {
        /// Mail a new activation link to this account.
        case sendNewLink(userID: String)
        /// The mail failed for good: check the address, then send a new link.
        case checkAddressThenSendNewLink(userID: String)
        /// The mail waits in the outbox: send it now for this account, or all that wait.
        case sendWaitingMail(userID: String)
        /// The mail waits in the outbox, and the outbox retry sends it.
        case outboxRetrySendsIt
        /// Mails left queued are sent by the outbox retry, from this time.
        case outboxRetrySendsThem(from: UTCDateTime?)
        /// Look at the outbox.
        case seeOutbox
        /// The cooldown can be skipped on purpose.
        case forceSkipsCooldown
        /// No database: make one, or name another.
        case createDatabase
        /// No secrets file: make one, or name another.
        case createSecrets
        /// A new secrets file with a random key can be made.
        case newSecretsHaveARandomKey
        /// A secrets file others can read can still be used, knowingly.
        case allowInsecureSecrets
        /// Purges are in the audit log.
        case seePurgeLog
        /// The PostgreSQL server wants a password (or another one): .pgpass, PGPASSWORD, or
        /// DATABASE_PASSWORD in the secrets file.
        case databasePassword
        /// A password in a URI given where others can read it.
        case passwordNotInURI
        /// The PostgreSQL database does not exist: create it first.
        case createPostgresDatabase
        /// The PostgreSQL database has no accounts tables yet.
        case createSchema
        /// Another purge holds the purge lease.
        case purgeRunning
        /// A directory to make before anything can be created in it.
        case makeDirectory(String)
        /// A directory this user may not write: use one of one's own, or be given this one.
        case directoryOfYourOwn(directory: String, user: String)
        /// A connection to another machine needs verified TLS before a password goes over it.
        case verifiedTLSRequired
        /// A reference matched these accounts: name one of them explicitly.
        case nameOneAccount(ids: [Int64])
        /// An import goes into an empty database, or is added to a full one on purpose.
        case importIntoEmptyOrAppend
    }

    public let kind: Kind
    public let message: String
    public var hint: Hint?

    public init(_ kind: Kind, _ message: String, hint: Hint? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
    }

    public var description: String { message }
}
