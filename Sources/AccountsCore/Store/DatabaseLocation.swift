import CLibPQ
import Foundation

/// Where the accounts live, as `--database`, DATABASE or ACCOUNTS_DATABASE says: a SQLite file,
/// or a PostgreSQL server named by a libpq URI (`postgresql://…`, `postgres://…`, or
/// `postgresql:` alone for libpq's own environment: PGHOST, PGDATABASE, PGSERVICE, …).
public enum DatabaseLocation: Sendable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresTarget)

    public init(_ text: String) throws {
        let lowered = text.lowercased()
        if lowered == "postgresql:" || lowered == "postgres:" {
            self = .postgres(try PostgresTarget(uri: nil))
        } else if lowered.hasPrefix("postgresql://") || lowered.hasPrefix("postgres://") {
            self = .postgres(try PostgresTarget(uri: text))
        } else if lowered.hasPrefix("postgresql:") || lowered.hasPrefix("postgres:") {
            throw AccountsError(.usage, "'\(printable(PostgresTarget.redactingPasswords(text)))' is neither a file nor a PostgreSQL URI: write postgresql://host/database, or postgresql: alone for the PG* environment")
        } else {
            self = .sqlite(path: text)
        }
    }

    /// How messages name it: the path, or the server without any password.
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let target): target.description
        }
    }
}

/// A PostgreSQL server and database, as libpq will be asked for it.
public struct PostgresTarget: Sendable, CustomStringConvertible {
    /// nil: everything from libpq's environment.
    public let uri: String?
    /// The URI carries a password (in its user part or as `?password=`).
    public let containsPassword: Bool
    /// The URI says how to use TLS (sslmode, or the old requiressl).
    let saysSSLMode: Bool
    public let description: String

    init(uri: String?) throws {
        self.uri = uri
        var options: [String: String] = [:]
        try PGLibrary.require()
        if let uri {
            var message: UnsafeMutablePointer<CChar>?
            guard let parsed = PQconninfoParse(uri, &message) else {
                // libpq's message may quote a piece of the URI, which may hold a password.
                let reason = message.map { String(cString: $0) } ?? ""
                PQfreemem(message)
                let detail = uri.contains("@") ? "" : ": " + Self.redactingPasswords(reason.trimmingCharacters(in: .whitespacesAndNewlines))
                throw AccountsError(.usage, printable("the database is not a valid PostgreSQL URI\(detail)"))
            }
            var option = parsed
            while let keyword = option.pointee.keyword {
                if let value = option.pointee.val { options[String(cString: keyword)] = String(cString: value) }
                option += 1
            }
            PQconninfoFree(parsed)
        }
        containsPassword = Self.holdsPassword(options)
        saysSSLMode = options["sslmode"] != nil || options["requiressl"] != nil
        let environment = ProcessInfo.processInfo.environment
        func value(_ keyword: String, _ variable: String) -> String {
            options[keyword] ?? environment[variable] ?? ""
        }
        description = Self.display(user: value("user", "PGUSER"), host: value("host", "PGHOST"), port: value("port", "PGPORT"),
                                   database: value("dbname", "PGDATABASE"), service: value("service", "PGSERVICE"))
    }

    /// A password (or the client key's sslpassword) anywhere: as a keyword, or inside a dbname that
    /// is itself a connection string or a URI (`dbname=host%3Dx%20password%3Dpw`), which the server
    /// would echo back in "database … does not exist".
    static func holdsPassword(_ options: [String: String]) -> Bool {
        if ["password", "sslpassword"].contains(where: { options[$0].map { !$0.isEmpty } ?? false }) { return true }
        guard let dbname = options["dbname"] else { return false }
        return dbname.lowercased().contains("password")
    }

    /// `text` with the value of every `password=` or `sslpassword=` in it (as a connection string
    /// or a URI query has them, percent-encoded or not) replaced by `…`: for libpq's and the
    /// server's messages, which may quote a piece of what they were given.
    public static func redactingPasswords(_ text: String) -> String {
        var result = text
        for pattern in [#"(?i)(password\s*(=|%3D)\s*)('[^']*'|[^\s&'"]+)"#] {
            result = result.replacingOccurrences(of: pattern, with: "$1…", options: .regularExpression)
        }
        return result
    }

    /// `postgresql://user@host:port/database`, with what is known; never a password.
    static func display(user: String, host: String, port: String, database: String, service: String = "") -> String {
        // A dbname that is a connection string of its own is shown as that, not spelled out.
        let database = database.contains("=") || database.contains("://") ? "(a connection string)" : database
        var text = "postgresql://"
        if !user.isEmpty { text += user + "@" }
        // A socket directory as host reads better as what it is.
        text += host.hasPrefix("/") ? "[\(host)]" : host
        if !port.isEmpty { text += ":" + port }
        text += "/" + database
        if !service.isEmpty { text += " (service \(service))" }
        return printable(text)
    }
}
