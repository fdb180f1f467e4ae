import AccountsTestSupport
import Foundation
import XCTest

/// Every subcommand, end to end, on SQLite and on PostgreSQL: the same script of commands gives
/// the same exit codes, the same output and the same database state (the export) on both, up to
/// the times the runs happened at. And an export moves between the two kinds byte for byte.
final class StoreParityCLITests: CLITestCase {
    struct Step: Equatable, CustomStringConvertible {
        let command: String
        let status: Int32
        let stdout: String
        let stderr: String

        var description: String { "$ accounts \(command)\n[\(status)]\n\(stdout)--- stderr\n\(stderr)" }
    }

    /// Runs the script in a directory of its own, on the database `database` names (nil: SQLite).
    func script(database: String?, env extra: [String: String]) throws -> (steps: [Step], export: String) {
        let base = directory + "/" + (database == nil ? "sqlite" : "postgres")
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        let saved = (directory, environment)
        defer { (directory, environment) = saved }
        directory = base
        environment.merge(extra) { $1 }
        if let database { environment["ACCOUNTS_DATABASE"] = database }
        try #"{"SECRET_KEY": "parity-key-long-enough-for-django-W009-0123456789abcdef"}"#
            .write(toFile: base + "/secrets.json", atomically: true, encoding: .utf8)
        chmod(base + "/secrets.json", 0o600)
        try "user_id,email\ns1,s1@example.com\ns2,s2@example.com\ns3,s3@example.com\n"
            .write(toFile: base + "/class.csv", atomically: true, encoding: .utf8)
        try "user_id,email\ns4,s4@example.com\ns5,S1@example.com\n".write(toFile: base + "/clash.csv", atomically: true, encoding: .utf8)

        var steps: [Step] = []
        var links: [String: String] = [:]
        func step(_ arguments: [String], stdin: String? = nil) throws -> Run {
            let result = try accounts(arguments, stdin: stdin)
            steps.append(Step(command: arguments.map { $0.contains("/activate/") ? "<link>" : $0 }.joined(separator: " "),
                              status: result.status, stdout: normalize(result.stdout, database: database),
                              stderr: normalize(result.stderr, database: database)))
            return result
        }
        _ = try step(["init"])
        links["hong"] = try step(["register", "hong", "hong@example.com"]).stdoutLines.first
        links["kim"] = try step(["register", "kim", "kim@example.com", "--no-send", "--format", "json"]).stdoutLines.first
        _ = try step(["register", "hong", "other@example.com"])
        _ = try step(["register", "lee", "HONG@Example.com"])
        _ = try step(["register", "bad", "not-an-email"])
        _ = try step(["register", "pw", "pw@example.com", "--password-stdin", "--no-send"], stdin: "correct horse battery staple\n")
        _ = try step(["register", "--from-csv", "class.csv", "--concurrency", "1"])
        _ = try step(["register", "--from-csv", "clash.csv"])
        _ = try step(["register", "--from-csv", "clash.csv", "--skip-invalid", "--no-send"])
        _ = try step(["send-activation", "kim"])
        _ = try step(["send-activation", "kim"])
        links["kim"] = try step(["send-activation", "kim", "--force"]).stdoutLines.first
        _ = try step(["send-activation", "nobody"])
        _ = try step(["send-activation", "--pending", "--format", "json", "--concurrency", "1"])
        let hongLink = links["hong"] ?? ""
        _ = try step(["inspect", hongLink])
        _ = try step(["inspect", hongLink, "--format", "json"])
        _ = try step(["activate", hongLink])
        _ = try step(["activate", hongLink])
        _ = try step(["activate", "http://localhost:8000/users/activate/MTIzNDU/abc-def/"])
        _ = try step(["activate", links["kim"] ?? "", "--format", "json"])
        for format in ["table", "json", "csv"] { _ = try step(["list", "--format", format]) }
        _ = try step(["list", "--state", "pending", "--limit", "2"])
        _ = try step(["list", "--state", "active", "--format", "json"])
        _ = try step(["purge-expired", "--dry-run"])
        Thread.sleep(forTimeInterval: 1.1)
        _ = try step(["purge-expired", "--older-than", "1s", "--dry-run", "--format", "json"])
        _ = try step(["purge-expired", "--older-than", "1s", "--batch-size", "2", "--format", "json"])
        _ = try step(["purge-expired", "--older-than", "1s"])
        _ = try step(["list", "--state", "expired"])
        _ = try step(["restore", "s2"])
        _ = try step(["restore", "s2"])
        _ = try step(["restore", "nobody"])
        // An administrator's day: show, update, set-password, deactivate, reactivate, delete.
        _ = try step(["show", "hong"])
        _ = try step(["show", "s2", "--format", "json"])
        _ = try step(["show", "nobody"])
        _ = try step(["update", "s2", "--email", "s2new@example.com", "--no-send", "--format", "json"])
        _ = try step(["update", "s2", "--email", "HONG@example.com"])
        _ = try step(["update", "s2", "--user-id", "bad id"])
        _ = try step(["update", "hong", "--email", "hong.new@example.com", "--department", ""])
        _ = try step(["update", "nobody", "--level", "1"])
        _ = try step(["update", "s2"])
        _ = try step(["set-password", "s2", "--password-stdin"], stdin: "new password 123\n")
        _ = try step(["set-password", "s2", "--unusable", "--format", "json"])
        _ = try step(["set-password", "s2"])
        _ = try step(["deactivate", "hong"])
        _ = try step(["deactivate", "hong"])
        _ = try step(["deactivate", "s2"])
        _ = try step(["reactivate", "hong", "--format", "json"])
        _ = try step(["reactivate", "hong"])
        _ = try step(["delete", "s2"])
        _ = try step(["delete", "s2", "--yes", "--format", "json"])
        _ = try step(["show", "s2", "--archived"])
        _ = try step(["outbox", "list"])
        _ = try step(["outbox", "list", "--format", "json", "--state", "sent"])
        _ = try step(["outbox", "retry", "--all", "--format", "json"])
        for format in ["table", "json", "csv"] { _ = try step(["log", "--format", format]) }
        _ = try step(["log", "--user", "S2@example.com"])
        _ = try step(["log", "--action", "purge", "--format", "json"])
        _ = try step(["log", "--limit", "3"])
        _ = try step(["stats", "--format", "prometheus"])
        _ = try step(["stats", "--since", "2999-01-01", "--format", "json"])
        let export = try accounts("export")
        XCTAssertEqual(export.status, 0, export.stderr)
        _ = try step(["import", "-"], stdin: export.stdout) // into itself: not empty
        return (steps, export.stdout)
    }

    /// Times and tokens differ from run to run; so does how the database is named.
    func normalize(_ text: String, database: String?) -> String {
        var text = text
        if let database { text = text.replacingOccurrences(of: database.replacingOccurrences(of: "postgresql://", with: "postgresql://"), with: "<database>") }
        text = text.replacingOccurrences(of: directory + "/accounts.sqlite3", with: "<database>")
        text = text.replacingOccurrences(of: "accounts.sqlite3", with: "<database>")
        let patterns = [
            (#"postgresql://accounts@127\.0\.0\.1:\d+/t_[0-9a-f]+"#, "<database>"),
            (#"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?Z?"#, "<time>"),
            (#"[0-9a-z]{1,13}-[0-9a-f]{20,}"#, "<token>"),
            (#"outbox/\d+\.\d{9}-[0-9a-f]+\.eml"#, "outbox/<file>"),
            (#"try again in \d+ s"#, "try again in <n> s"),
            (#""password":"[^"]*""#, #""password":"<salted>""#),
            (#"\d+(\.\d+)? (mails|accounts|rows)/s"#, "<rate>"),
            (#"(accounts_activation_delay_seconds(\{quantile="[0-9.]+"\}|_sum)) \d+"#, "$1 <seconds>"),
        ]
        for (pattern, replacement) in patterns {
            text = text.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return text
    }

    func testEverySubcommandBehavesTheSameOnSQLiteAndPostgreSQL() throws {
        let server = try PostgresServer.shared()
        let sqlite = try script(database: nil, env: [:])
        let postgres = try script(database: server.uri(try server.createDatabase()), env: ["PGPASSWORD": PostgresServer.password])
        XCTAssertEqual(sqlite.steps.count, postgres.steps.count)
        for (onSQLite, onPostgres) in zip(sqlite.steps, postgres.steps) {
            XCTAssertEqual(onSQLite, onPostgres, "\n--- SQLite:\n\(onSQLite)\n--- PostgreSQL:\n\(onPostgres)")
        }
        // The script means something: failures where it expects them, and rows in every table.
        XCTAssertEqual(sqlite.steps.filter { $0.status != 0 }.map(\.status), [65, 65, 65, 65, 75, 67, 65, 65, 65, 67, 67, 65, 65, 67, 64, 64, 65, 65, 65, 64, 73],
                       sqlite.steps.filter { $0.status != 0 }.map(\.command).joined(separator: "\n"))
        XCTAssertEqual(normalize(sqlite.export, database: nil), normalize(postgres.export, database: nil), "the same rows, ids and sequences")
        for table in ["users", "audit_log", "purged_users", "outbox", "sequences"] {
            XCTAssertTrue(sqlite.export.contains("{\"table\":\"\(table)\""), table)
        }
    }

    /// SQLite → PostgreSQL → export again: the same bytes; and back.
    func testAnExportMovesBetweenTheKindsByteForByte() throws {
        let server = try PostgresServer.shared()
        let sqlite = try script(database: nil, env: [:]).export
        environment["PGPASSWORD"] = PostgresServer.password
        XCTAssertEqual(try accounts("init", "-q", "--database", "unused.sqlite3").status, 0) // the secrets file
        let target = server.uri(try server.createDatabase())
        let imported = try accounts("import", "-", "--database", target, stdin: sqlite)
        XCTAssertEqual(imported.status, 0, imported.stderr)
        let users = sqlite.components(separatedBy: "{\"table\":\"users\"").count - 1
        XCTAssertTrue(imported.stderr.contains("imported \(users) users"), imported.stderr)
        let again = try accounts("export", "--database", target)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(again.stdout, sqlite, "byte for byte")
        let back = try accounts("import", "-", "--database", "back.sqlite3", stdin: again.stdout)
        XCTAssertEqual(back.status, 0, back.stderr)
        XCTAssertEqual(try accounts("export", "--database", "back.sqlite3").stdout, sqlite)

        // Into a database with rows: refused unless --append, which refuses clashes; nothing changes.
        assertFails(try accounts("import", "-", "--database", target, stdin: sqlite), 73, "is not empty (users has rows)")
        assertFails(try accounts("import", "-", "--append", "--database", target, stdin: sqlite), 65, "already exists")
        XCTAssertEqual(try accounts("export", "--database", target).stdout, sqlite, "a refused import changes nothing")
        // And the sequences moved past every id: the next account gets the next id never used.
        let sequences = try XCTUnwrap(sqlite.split(separator: "\n").last { $0.hasPrefix("{\"table\":\"sequences\"") })
        let lastUserID = try XCTUnwrap(Int(sequences.split(separator: ",")[1].split(separator: ":")[1]))
        let next = try accounts("register", "new", "new@example.com", "--no-send", "--format", "json", "--database", target)
        XCTAssertEqual(next.status, 0, next.stderr)
        XCTAssertTrue(next.stdout.hasPrefix("{\"id\":\(lastUserID + 1),"), "\(sequences): \(next.stdout)")
    }
}
