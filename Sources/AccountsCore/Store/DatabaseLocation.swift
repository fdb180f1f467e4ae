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
            throw AccountsError(.usage, "'\(printable(text))' is neither a file nor a PostgreSQL URI: write postgresql://host/database, or postgresql: alone for the PG* environment")
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
    public let description: String

    init(uri: String?) throws {
        self.uri = uri
        var options: [String: String] = [:]
        if let uri {
            var message: UnsafeMutablePointer<CChar>?
            guard let parsed = PQconninfoParse(uri, &message) else {
                // libpq's message may quote a piece of the URI, which may hold a password.
                let reason = message.map { String(cString: $0) } ?? ""
                PQfreemem(message)
                let detail = uri.contains("@") ? "" : ": " + reason.trimmingCharacters(in: .whitespacesAndNewlines)
                throw AccountsError(.usage, printable("the database is not a valid PostgreSQL URI\(detail)"))
            }
            var option = parsed
            while let keyword = option.pointee.keyword {
                if let value = option.pointee.val { options[String(cString: keyword)] = String(cString: value) }
                option += 1
            }
            PQconninfoFree(parsed)
        }
        containsPassword = options["password"].map { !$0.isEmpty } ?? false
        let environment = ProcessInfo.processInfo.environment
        func value(_ keyword: String, _ variable: String) -> String {
            options[keyword] ?? environment[variable] ?? ""
        }
        description = Self.display(user: value("user", "PGUSER"), host: value("host", "PGHOST"), port: value("port", "PGPORT"),
                                   database: value("dbname", "PGDATABASE"), service: value("service", "PGSERVICE"))
    }

    /// `postgresql://user@host:port/database`, with what is known; never a password.
    static func display(user: String, host: String, port: String, database: String, service: String = "") -> String {
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
