import Foundation
import XCTest

/// Several `accounts` processes on one SQLite file at once, and processes killed mid-write.
final class ConcurrencyCLITests: CLITestCase {
    /// Starts `script` under /bin/sh in the test directory; the caller waits for it.
    func shell(_ script: String) throws -> (Process, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script, "sh", Self.binary]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        let log = directory + "/log-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return (process, log)
    }

    func testParallelWritersPurgesAndListsLoseNothing() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        let perWriter = 200
        var jobs: [(Process, String)] = []
        for writer in 1...4 {
            jobs.append(try shell("""
                i=1
                while [ $i -le \(perWriter) ]; do
                  "$1" register w\(writer)u$i w\(writer)u$i@example.com --no-send -q >/dev/null || echo "FAILED register w\(writer)u$i: $?"
                  i=$((i + 1))
                done
                """))
        }
        // Purges and lists at the same time; the purge must find nothing to delete (all fresh).
        jobs.append(try shell("""
            for i in $(seq 1 40); do "$1" purge-expired -q || echo "FAILED purge: $?"; done
            """))
        jobs.append(try shell("""
            for i in $(seq 1 40); do "$1" list --format csv >/dev/null || echo "FAILED list: $?"; done
            """))
        for (process, _) in jobs { process.waitUntilExit() }
        for (process, log) in jobs {
            let output = try String(contentsOfFile: log, encoding: .utf8)
            XCTAssertEqual(process.terminationStatus, 0)
            XCTAssertEqual(output, "", "no process failed (\"database is locked\" would show here)")
        }
        XCTAssertEqual(try sql("SELECT count(*), count(DISTINCT user_id), count(DISTINCT email) FROM users"), ["800|800|800"])
        for writer in 1...4 {
            XCTAssertEqual(try sql("SELECT count(*) FROM users WHERE user_id LIKE 'w\(writer)u%'"), ["\(perWriter)"])
        }
        XCTAssertEqual(try sql("SELECT count(*) FROM purged_users"), ["0"])
        XCTAssertEqual(try sql("PRAGMA integrity_check"), ["ok"])
    }

    func testRacingRegistrationsOfOneUserHaveExactlyOneWinner() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        for round in 1...3 {
            var jobs: [(Process, String)] = []
            for racer in 1...6 {
                // Same user_id for all in odd rounds; same email (in different case) in even ones.
                let userID = round % 2 == 1 ? "race\(round)" : "race\(round)-\(racer)"
                let email = round % 2 == 1 ? "r\(round)-\(racer)@example.com" : (racer % 2 == 0 ? "R\(round)@example.com" : "r\(round)@example.com")
                jobs.append(try shell("\"$1\" register \(userID) \(email) --no-send -q >/dev/null 2>&1; echo $?"))
            }
            for (process, _) in jobs { process.waitUntilExit() }
            let codes = try jobs.map { try String(contentsOfFile: $0.1, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) }
            XCTAssertEqual(codes.filter { $0 == "0" }.count, 1, "round \(round): \(codes)")
            XCTAssertEqual(codes.filter { $0 == "65" }.count, 5, "round \(round): the others get the duplicate error: \(codes)")
        }
        XCTAssertEqual(try sql("SELECT count(*) FROM users"), ["3"])
    }

    /// SIGKILL in the middle of a batched purge: whole batches only (each archived, deleted and
    /// audited together), the database intact; the next run takes over the dead run's lease at
    /// once (its process is gone) and finishes the job.
    func testKilledInTheMiddleOfAPurgeLeavesWholeBatches() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        let rows = 200_000
        try sql("""
            WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < \(rows))
            INSERT INTO users (user_id, email, password, date_joined) SELECT 'u' || x, 'u' || x || '@example.com', '!x', '2020-01-01 00:00:00' FROM n;
            """)
        let (process, _) = try shell("exec \"$1\" purge-expired -q --batch-size 1000")
        let deadline = Date().addingTimeInterval(60)
        while try sql("SELECT count(*) FROM purged_users") == ["0"], Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        Thread.sleep(forTimeInterval: 0.05)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(try sql("PRAGMA integrity_check"), ["ok"])
        let archived = assertWholeBatches(try sql("""
            SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM purged_users), (SELECT count(*) FROM audit_log WHERE action = 'purge')
            """), rows: rows)
        XCTAssertEqual(try sql("SELECT count(*) FROM purged_users p JOIN audit_log a ON a.id = p.audit_id"), ["\(archived)"])
        XCTAssertEqual(try sql("SELECT count(*) FROM purge_lease"), ["1"], "the dead run's lease is still there")

        let rest = try accounts("purge-expired")
        XCTAssertEqual(rest.status, 0, rest.stderr)
        XCTAssertEqual(rest.stdout, "purged \(rows - archived) accounts\n")
        XCTAssertTrue(rest.stderr.contains("took over the lease of a purge on this host that is no longer running"), rest.stderr)
        XCTAssertEqual(try sql("SELECT count(*) FROM purged_users"), ["\(rows)"])
        XCTAssertEqual(try sql("SELECT count(*) FROM purge_lease"), ["0"])
    }

    /// Two purges at once: the second does not run beside the first; it exits 75 and says so.
    func testASecondPurgeWaitsForTheFirst() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        try sql("""
            WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 100000)
            INSERT INTO users (user_id, email, password, date_joined) SELECT 'u' || x, 'u' || x || '@example.com', '!x', '2020-01-01 00:00:00' FROM n;
            """)
        let (first, log) = try shell("exec \"$1\" purge-expired --batch-size 100")
        let deadline = Date().addingTimeInterval(60)
        while try sql("SELECT count(*) FROM purge_lease") == ["0"], Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        let second = try accounts("purge-expired")
        first.waitUntilExit()
        assertFails(second, 75, "another purge is running (")
        XCTAssertTrue(second.stderr.contains(" pid \(first.processIdentifier)"), second.stderr)
        let firstOutput = try String(contentsOfFile: log, encoding: .utf8)
        XCTAssertEqual(first.terminationStatus, 0, firstOutput)
        XCTAssertEqual(try sql("SELECT count(*) FROM purged_users"), ["100000"])
    }

    /// The first use of a new database by many processes at once: one creates the tables, the
    /// others wait for its write lock and find them (before: "table users already exists", 69).
    func testEightProcessesOnAFreshDatabase() throws {
        XCTAssertEqual(try accounts("init", "-q", "--database", "unused.sqlite3").status, 0) // the secrets file
        for round in 1...3 {
            let database = "fresh\(round).sqlite3"
            var jobs: [(Process, String)] = []
            for racer in 1...8 {
                jobs.append(try shell("\"$1\" register u\(racer) u\(racer)@example.com --no-send -q --database \(database) >/dev/null 2>&1; echo $?"))
            }
            for (process, _) in jobs { process.waitUntilExit() }
            let codes = try jobs.map { try String(contentsOfFile: $0.1, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) }
            XCTAssertEqual(codes, Array(repeating: "0", count: 8), "round \(round)")
            XCTAssertEqual(try sql("SELECT count(*) FROM users", database: database), ["8"])
            XCTAssertEqual(try sql("SELECT count(*) FROM grdb_migrations", database: database), ["8"], "each migration once")
            XCTAssertEqual(try sql("PRAGMA integrity_check", database: database), ["ok"])
        }
    }
}
