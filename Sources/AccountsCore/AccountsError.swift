/// An error the tool reports to its user: one line of text and the kind of failure.
///
/// The core says *what kind* of failure happened; the executable turns the kind into a
/// sysexits code in one place. Messages never contain secrets.
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

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
