import CLibPQ

/// PostgreSQL failures as the tool reports them, by SQLSTATE (Appendix A of the PostgreSQL
/// manual), each kind to its exit code: worth trying again (75), the settings are wrong (78),
/// the server is not there (69), no such database (66).
enum PGErrors {
    /// A failed statement.
    static func failure(result: OpaquePointer, target: String) -> PGFailure {
        func field(_ code: UInt8) -> String? { PQresultErrorField(result, Int32(code)).map { String(cString: $0) } }
        let primary = field(UInt8(ascii: "M")) ?? PGConnection.oneLine(PQresultErrorMessage(result))
        return failure(primary, sqlState: field(UInt8(ascii: "C")), constraint: field(UInt8(ascii: "n")),
                       detail: field(UInt8(ascii: "D")), target: target)
    }

    static func failure(_ message: String, sqlState: String?, constraint: String? = nil, detail: String? = nil, target: String) -> PGFailure {
        // A clash names its key ("Key (user_id)=(hong) already exists."): ids and names, no secrets.
        let text = PostgresTarget.redactingPasswords("database \(target): \(message)" + (sqlState == "23505" ? detail.map { " (\($0))" } ?? "" : ""))
        let kind: AccountsError.Kind
        switch sqlState ?? "" {
        case "23505": kind = .badData // unique_violation; the store names the field
        case "40001", "40P01", "55P03", "57014", "57P01", "57P02", "57P03", "53300", "53400":
            // serialization failure, deadlock, lock timeout, statement timeout, the server going
            // down or starting up, too many connections
            kind = .temporary
        case "28000", "28P01", "42501": kind = .configuration // authentication; privileges
        case "3D000": kind = .noInput
        case let state where state.hasPrefix("08"): kind = .unavailable // connection exception
        case let state where state.hasPrefix("53"): kind = .temporary // out of disk, memory
        default: kind = .unavailable
        }
        return PGFailure(sqlState: sqlState, constraint: constraint, detail: detail, error: AccountsError(kind, printable(text, limit: 600)))
    }

    /// A connection that could not be made. libpq gives no SQLSTATE for these, so the server's
    /// (English) message decides; whatever is not recognised is "unavailable".
    static func connectionFailure(_ message: String, needsPassword: Bool, target: String) -> AccountsError {
        let text = printable(PostgresTarget.redactingPasswords("cannot connect to \(target): \(message)"), limit: 600)
        if needsPassword {
            return AccountsError(.configuration, text, hint: .databasePassword)
        }
        if message.contains("password authentication failed") || message.contains("authentication failed")
            || message.contains("no pg_hba.conf entry") || message.contains("role \"") && message.contains("does not exist") {
            return AccountsError(.configuration, text, hint: .databasePassword)
        }
        if message.contains("certificate") || message.contains("SSL") || message.contains("sslmode") || message.contains("root certificate") {
            return AccountsError(.configuration, text)
        }
        if message.contains("database \""), message.contains("does not exist") {
            return AccountsError(.noInput, text, hint: .createPostgresDatabase)
        }
        if message.contains("starting up") || message.contains("shutting down") || message.contains("too many clients")
            || message.contains("in recovery mode") {
            return AccountsError(.temporary, text)
        }
        return AccountsError(.unavailable, text)
    }
}

/// A statement the server refused: the SQLSTATE and constraint for the store to look at (a
/// unique violation becomes "already registered"), and the error to report otherwise.
struct PGFailure: Error {
    let sqlState: String?
    let constraint: String?
    /// "Key (user_id)=(hong) already exists."
    let detail: String?
    let error: AccountsError
}
