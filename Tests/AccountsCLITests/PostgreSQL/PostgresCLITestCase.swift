import AccountsTestSupport
import Foundation
import XCTest

/// Tests that drive the binary against the test PostgreSQL server (AccountsTestSupport), each in
/// a database of its own, named by ACCOUNTS_DATABASE; the password comes from PGPASSWORD, as an
/// operator's shell would give it.
class PostgresCLITestCase: CLITestCase {
    var server: PostgresServer!
    var database = ""
    var uri: String { server.uri(database) }

    override func setUpWithError() throws {
        try super.setUpWithError()
        server = try PostgresServer.shared()
        database = try server.createDatabase()
        environment["ACCOUNTS_DATABASE"] = uri
        environment["PGPASSWORD"] = PostgresServer.password
    }

    /// SQL on the test's database, as the superuser, outside accounts: one string a row.
    @discardableResult
    func psql(_ sql: String) throws -> [String] {
        try server.psql(database, sql)
    }

    /// Starts `script` under /bin/sh in the test directory ($1 is the binary); the caller waits.
    func shell(_ script: String, env extra: [String: String] = [:]) throws -> (Process, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script, "sh", Self.binary]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment.merging(extra) { $1 }
        let log = directory + "/log-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return (process, log)
    }

    /// `count` rows of never-activated users made by SQL (fast), joined `joined`.
    func insertUsers(_ count: Int, prefix: String = "u", joined: String = "2020-01-01 00:00:00+00") throws {
        try psql("""
            INSERT INTO users (user_id, email, password, is_active, date_joined)
            SELECT '\(prefix)' || x, '\(prefix)' || x || '@example.com', '!x', false, '\(joined)' FROM generate_series(1, \(count)) x
            """)
    }
}
