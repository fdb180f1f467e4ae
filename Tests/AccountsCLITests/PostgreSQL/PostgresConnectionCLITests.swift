import AccountsTestSupport
import Foundation
import XCTest

/// Connecting as an operator of psql expects: everything libpq reads (.pgpass, PGPASSFILE, PG*
/// variables, service files, sockets, TLS), passwords never on the command line or in messages,
/// and every failure a clean one-line error with its own exit code.
final class PostgresConnectionCLITests: PostgresCLITestCase {
    func writePgpass(_ path: String, password: String = PostgresServer.password) throws {
        try "127.0.0.1:\(server.port):*:\(PostgresServer.user):\(password)\n\(server.socketDirectory):\(server.port):*:\(PostgresServer.user):\(password)\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o600)
    }

    func testEveryWayLibpqKnowsToFindTheServerAndThePassword() throws {
        environment["PGPASSWORD"] = nil
        XCTAssertEqual(try accounts("init", "-q", "--database", "unused.sqlite3").status, 0) // the secrets file

        // ~/.pgpass (HOME is the test directory), and PGPASSFILE elsewhere.
        try writePgpass(directory + "/.pgpass")
        let initialised = try accounts("init")
        XCTAssertEqual(initialised.status, 0, initialised.stderr)
        XCTAssertTrue(initialised.stderr.contains("database ready: postgresql://accounts@127.0.0.1:\(server.port)/\(database)"), initialised.stderr)
        try FileManager.default.moveItem(atPath: directory + "/.pgpass", toPath: directory + "/elsewhere.pgpass")
        XCTAssertEqual(try accounts("register", "a", "a@example.com", "--no-send", env: ["PGPASSFILE": directory + "/elsewhere.pgpass"]).status, 0)

        // postgresql: alone: the PG* environment.
        let fromEnvironment = ["PGHOST": "127.0.0.1", "PGPORT": String(server.port), "PGDATABASE": database, "PGUSER": PostgresServer.user,
                               "PGPASSWORD": PostgresServer.password, "ACCOUNTS_DATABASE": "postgresql:"]
        let listed = try accounts("list", "--format", "csv", env: fromEnvironment)
        XCTAssertEqual(listed.status, 0, listed.stderr)
        XCTAssertEqual(listed.stdoutLines.count, 2)

        // A service file, by PGSERVICE or in the URI.
        try "[site]\nhost=127.0.0.1\nport=\(server.port)\ndbname=\(database)\nuser=\(PostgresServer.user)\n"
            .write(toFile: directory + "/pg_service.conf", atomically: true, encoding: .utf8)
        let service = ["PGSERVICEFILE": directory + "/pg_service.conf", "PGPASSWORD": PostgresServer.password]
        XCTAssertEqual(try accounts("list", env: service.merging(["PGSERVICE": "site", "ACCOUNTS_DATABASE": "postgresql:"]) { $1 }).status, 0)
        XCTAssertEqual(try accounts("list", env: service.merging(["ACCOUNTS_DATABASE": "postgresql://?service=site"]) { $1 }).status, 0)

        // The Unix socket, by a socket directory as host.
        let socket = "postgresql:///\(database)?host=\(server.socketDirectory)&port=\(server.port)&user=\(PostgresServer.user)"
        let overSocket = try accounts("list", "--database", socket, env: ["PGPASSWORD": PostgresServer.password])
        XCTAssertEqual(overSocket.status, 0, overSocket.stderr)

        // DATABASE_PASSWORD in the secrets file, when libpq has none of its own.
        let secrets = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/secrets.json"))) as? [String: Any])
        try JSONSerialization.data(withJSONObject: secrets.merging(["DATABASE_PASSWORD": PostgresServer.password]) { $1 })
            .write(to: URL(fileURLWithPath: directory + "/secrets.json"))
        chmod(directory + "/secrets.json", 0o600)
        let fromSecrets = try accounts("register", "b", "b@example.com", "--no-send")
        XCTAssertEqual(fromSecrets.status, 0, fromSecrets.stderr)

        // The password is nowhere to be seen: not in messages, the audit log, or JSON.
        for result in [initialised, listed, fromSecrets, try accounts("log", "--format", "json"), try accounts("list", "--format", "json")] {
            XCTAssertFalse((result.stdout + result.stderr).contains(PostgresServer.password))
        }
    }

    func testAPasswordIsNeverTakenFromTheCommandLineOrTheSettingsFile() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        let withPassword = "postgresql://accounts:\(PostgresServer.password)@127.0.0.1:\(server.port)/\(database)"
        for uri in [withPassword, uri + "?password=\(PostgresServer.password)"] {
            let refused = try accounts("list", "--database", uri)
            assertFails(refused, 64, "a password in the URI would be visible to every user of this machine")
            XCTAssertTrue(refused.stderr.contains(".pgpass"), refused.stderr)
            XCTAssertFalse(refused.stderr.contains(PostgresServer.password))
        }
        try "{\"DATABASE\": \"\(withPassword)\"}".write(toFile: directory + "/settings.json", atomically: true, encoding: .utf8)
        chmod(directory + "/settings.json", 0o600)
        environment["ACCOUNTS_DATABASE"] = nil
        let fromFile = try accounts("list")
        assertFails(fromFile, 78, "settings.json: DATABASE: the URI holds a password")
        XCTAssertFalse(fromFile.stderr.contains(PostgresServer.password))
        try FileManager.default.removeItem(atPath: directory + "/settings.json")
        // The process's own environment may carry one, as PGPASSWORD does.
        XCTAssertEqual(try accounts("list", env: ["ACCOUNTS_DATABASE": withPassword, "PGPASSWORD": ""]).status, 0)
        assertFails(try accounts("list", "--database", "postgresql:mydb"), 64, "neither a file nor a PostgreSQL URI")
    }

    func testConnectionFailuresAreOneLineWithTheirOwnExitCodes() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        let wrong = try accounts("list", env: ["PGPASSWORD": "wrong"])
        assertFails(wrong, 78, "password authentication failed for user \"accounts\"")
        XCTAssertTrue(wrong.stderr.contains("cannot connect to postgresql://accounts@127.0.0.1:\(server.port)/\(database)"), wrong.stderr)
        XCTAssertTrue(wrong.stderr.contains("DATABASE_PASSWORD in the secrets file"), wrong.stderr)
        assertFails(try accounts("list", env: ["PGPASSWORD": ""]), 78, "no password supplied")

        let closed = try freePort()
        assertFails(try accounts("list", "--database", "postgresql://accounts@127.0.0.1:\(closed)/x"), 69, "Connection refused")
        assertFails(try accounts("list", "--database", server.uri("no_such_database")), 66, "database \"no_such_database\" does not exist")

        // A database without the accounts tables: refused, and left as it was (no tables made).
        let empty = try server.createDatabase()
        assertFails(try accounts("list", "--database", server.uri(empty)), 66, "has no accounts tables")
        XCTAssertEqual(try server.psql(empty, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), ["0"])
    }

    /// A server that accepts the connection and then says nothing: cron must not hang on it.
    /// libpq's connect_timeout, 10 s unless the URI or PGCONNECT_TIMEOUT says otherwise.
    func testASilentServerTimesOut() throws {
        let silent = try SilentListener()
        defer { silent.close() }
        let target = "postgresql://accounts@127.0.0.1:\(silent.port)/x"
        var started = Date()
        assertFails(try accounts("list", "--database", target + "?connect_timeout=2"), 69, "timeout expired")
        XCTAssertLessThan(Date().timeIntervalSince(started), 8)
        started = Date()
        assertFails(try accounts("list", "--database", target, env: ["PGCONNECT_TIMEOUT": "2"]), 69, "timeout expired")
        XCTAssertLessThan(Date().timeIntervalSince(started), 8)
        started = Date()
        assertFails(try accounts("list", "--database", target), 69, "timeout expired")
        let waited = Date().timeIntervalSince(started)
        XCTAssertTrue((9..<30).contains(waited), "the default of 10 s: \(waited)")
    }

    /// A table locked elsewhere (a Django migration, an import's index build) must not hang a
    /// command: its statement is cancelled at DATABASE_STATEMENT_TIMEOUT, "try again" (75).
    func testAStatementWaitingOnALockIsCancelledAtItsBound() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        let held = DispatchSemaphore(value: 0)
        let database = self.database, server = self.server!
        DispatchQueue.global().async {
            _ = try? server.psql(database, "BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(8); COMMIT")
            held.signal()
        }
        defer { _ = held.wait(timeout: .now() + 20) }
        let deadline = Date().addingTimeInterval(10)
        while try psql("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'users' AND l.mode = 'AccessExclusiveLock' AND l.granted") != ["1"],
              Date() < deadline {
            usleep(50_000)
        }
        let started = Date()
        let result = try accounts("list", env: ["ACCOUNTS_DATABASE_STATEMENT_TIMEOUT": "2"])
        assertFails(result, 75, "a statement ran longer than 2 s")
        XCTAssertLessThan(Date().timeIntervalSince(started), 6, "bounded, not the 8 s the lock is held")
        assertFails(try accounts("list", env: ["ACCOUNTS_DATABASE_STATEMENT_TIMEOUT": "x"]), 78, "DATABASE_STATEMENT_TIMEOUT")
    }

    /// sslmode=verify-full against the throw-away CA: the right CA and name connect; another CA
    /// is refused as a configuration error.
    func testTLSWithVerifyFull() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        for host in ["localhost", "127.0.0.1"] {
            let verified = "postgresql://accounts@\(host):\(server.port)/\(database)?sslmode=verify-full&sslrootcert=\(server.caFile)"
            let result = try accounts("register", "tls-\(host)", "tls-\(host)@example.com", "--no-send", "--database", verified)
            XCTAssertEqual(result.status, 0, result.stderr)
        }
        let otherCA = "postgresql://accounts@localhost:\(server.port)/\(database)?sslmode=verify-full&sslrootcert=/etc/ssl/certs/ca-certificates.crt"
        assertFails(try accounts("list", "--database", otherCA), 78, "certificate verify failed")
        assertFails(try accounts("list", "--database", uri + "?sslmode=verify-full&sslrootcert=\(directory)/none.pem"), 78, "root certificate file")
    }

    /// The database keeps its own rules, whoever writes: the audit log refuses changes, an
    /// activation is recorded and never forgotten, and a rewound id sequence is caught.
    func testTheDatabaseKeepsItsRulesAgainstOtherPrograms() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        for name in ["a", "b", "c"] { XCTAssertEqual(try accounts("register", name, "\(name)@example.com", "--no-send").status, 0) }
        for statement in ["UPDATE audit_log SET detail = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log, purged_users"] {
            XCTAssertThrowsError(try psql(statement)) { XCTAssertTrue("\($0)".contains("audit_log is append-only"), "\($0)") }
        }
        try psql("UPDATE users SET is_active = true WHERE user_id = 'a'")
        XCTAssertEqual(try psql("SELECT activated_at IS NOT NULL FROM users WHERE user_id = 'a'"), ["t"], "recorded")
        try psql("UPDATE users SET is_active = false, activated_at = NULL WHERE user_id = 'a'")
        XCTAssertEqual(try psql("SELECT activated_at IS NOT NULL FROM users WHERE user_id = 'a'"), ["t"], "never forgotten")

        // What Django's sqlsequencereset does after the highest id was purged: refused, loudly.
        try psql("UPDATE users SET date_joined = '2020-01-01+00' WHERE user_id = 'c'")
        XCTAssertEqual(try accounts("purge-expired", "-q").status, 0)
        try psql("SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users))")
        let reused = try accounts("register", "d", "d@example.com", "--no-send")
        assertFails(reused, 69, "users id 3 belonged to a purged account")
        // accounts itself moves it forward again (import never lowers it): here, by hand, as documented.
        try psql("SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM purged_users))")
        XCTAssertEqual(try accounts("register", "d", "d@example.com", "--no-send").status, 0)
    }

    func freePort() throws -> Int {
        let listener = try SilentListener()
        listener.close()
        return listener.port
    }
}

/// A TCP port on 127.0.0.1 that accepts connections (the kernel does, from its backlog) and
/// never answers.
final class SilentListener {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else { throw PostgresServerError.failed("cannot listen") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() {
        Glibc.close(descriptor)
    }
}
