import AccountsTestSupport
import Foundation
import XCTest

/// Many `accounts` processes on one PostgreSQL database at once, as several hosts would run them,
/// directly and through PgBouncer in transaction-pooling mode; and processes killed mid-purge.
final class PostgresConcurrencyCLITests: PostgresCLITestCase {
    /// Output of the finished jobs; each job's exit status must be 0.
    func finish(_ jobs: [(Process, String)], file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        for (process, _) in jobs { process.waitUntilExit() }
        return try jobs.map { process, log in
            let output = try String(contentsOfFile: log, encoding: .utf8)
            XCTAssertEqual(process.terminationStatus, 0, output, file: file, line: line)
            return output
        }
    }

    /// The start and end of each line "START <ns>" / "END <ns>" a job printed (date +%s%N).
    func spans(_ output: String) -> [(Double, Double)] {
        var spans: [(Double, Double)] = []
        var start: Double?
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let value = Double(parts[1]) else { continue }
            if parts[0] == "START" { start = value / 1e9 }
            if parts[0] == "END", let begun = start { spans.append((begun, value / 1e9)) }
        }
        return spans
    }

    func parallelWritersPurgesAndLists(viaBouncer: Bool) throws {
        if viaBouncer { environment["ACCOUNTS_DATABASE"] = server.uri(database, viaBouncer: true) }
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        let perWriter = 200
        var jobs: [(Process, String)] = []
        for writer in 1...4 {
            jobs.append(try shell("""
                echo "START $(date +%s%N)"
                i=1
                while [ $i -le \(perWriter) ]; do
                  "$1" register w\(writer)u$i w\(writer)u$i@example.com --no-send -q >/dev/null || echo "FAILED register w\(writer)u$i: $?"
                  i=$((i + 1))
                done
                echo "END $(date +%s%N)"
                """))
        }
        jobs.append(try shell("""
            echo "START $(date +%s%N)"
            for i in $(seq 1 40); do "$1" purge-expired -q || echo "FAILED purge: $?"; done
            echo "END $(date +%s%N)"
            """))
        jobs.append(try shell("""
            echo "START $(date +%s%N)"
            for i in $(seq 1 40); do "$1" list --format csv >/dev/null || echo "FAILED list: $?"; done
            echo "END $(date +%s%N)"
            """))
        let outputs = try finish(jobs)
        for output in outputs { XCTAssertFalse(output.contains("FAILED"), output) }
        // They ran at once: every job started before any finished.
        let all = outputs.flatMap(spans)
        XCTAssertEqual(all.count, 6)
        XCTAssertLessThan(all.map(\.0).max() ?? 0, all.map(\.1).min() ?? 0, "all six jobs overlapped")
        XCTAssertEqual(try psql("SELECT count(*), count(DISTINCT user_id), count(DISTINCT upper(email)) FROM users"), ["800|800|800"])
        for writer in 1...4 {
            XCTAssertEqual(try psql("SELECT count(*) FROM users WHERE user_id LIKE 'w\(writer)u%'"), ["\(perWriter)"])
        }
        XCTAssertEqual(try psql("SELECT count(*) FROM audit_log WHERE action = 'register'"), ["800"])
        XCTAssertEqual(try psql("SELECT count(*) FROM purged_users"), ["0"])
    }

    func testParallelWritersPurgesAndListsLoseNothing() throws {
        try parallelWritersPurgesAndLists(viaBouncer: false)
    }

    func testParallelWritersPurgesAndListsThroughPgBouncer() throws {
        try parallelWritersPurgesAndLists(viaBouncer: true)
    }

    func testEightRacingRegistrationsOfOneUserHaveExactlyOneWinner() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        for round in 1...3 {
            var jobs: [(Process, String)] = []
            for racer in 1...8 {
                let userID = round % 2 == 1 ? "race\(round)" : "race\(round)-\(racer)"
                let email = round % 2 == 1 ? "r\(round)-\(racer)@example.com" : (racer % 2 == 0 ? "R\(round)@example.com" : "r\(round)@Example.com")
                jobs.append(try shell("\"$1\" register \(userID) \(email) --no-send 2>&1 >/dev/null; echo \"exit $?\""))
            }
            for (process, _) in jobs { process.waitUntilExit() }
            let outputs = try jobs.map { try String(contentsOfFile: $0.1, encoding: .utf8) }
            XCTAssertEqual(outputs.filter { $0.hasSuffix("exit 0\n") }.count, 1, "round \(round): \(outputs)")
            let losers = outputs.filter { $0.hasSuffix("exit 65\n") }
            XCTAssertEqual(losers.count, 7, "round \(round): \(outputs)")
            for loser in losers { XCTAssertTrue(loser.contains("is already registered"), loser) }
        }
        XCTAssertEqual(try psql("SELECT count(*) FROM users"), ["3"])
    }

    /// The first use of a new database by eight processes at once: one creates the schema under
    /// the advisory lock, the others wait for it and find it made.
    func testEightProcessesOnAFreshDatabase() throws {
        XCTAssertEqual(try accounts("init", "-q", "--database", "unused.sqlite3").status, 0) // the secrets file
        for viaBouncer in [false, true] {
            let fresh = try server.createDatabase()
            var jobs: [(Process, String)] = []
            for racer in 1...8 {
                jobs.append(try shell("\"$1\" register u\(racer) u\(racer)@example.com --no-send -q >/dev/null",
                                      env: ["ACCOUNTS_DATABASE": server.uri(fresh, viaBouncer: viaBouncer)]))
            }
            _ = try finish(jobs)
            XCTAssertEqual(try server.psql(fresh, "SELECT count(*) FROM users"), ["8"])
            XCTAssertEqual(try server.psql(fresh, "SELECT count(*) FROM accounts_migrations"), ["3"], "each migration once")
        }
    }

    /// Three `outbox retry` at once over 600 queued mails: each mail goes out exactly once, and
    /// the three shared the work (SKIP LOCKED: none waited for another's rows).
    func testThreeConcurrentOutboxRetriesSendEachMailOnce() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        try insertUsers(600, joined: "2026-01-01 00:00:00+00")
        try psql("""
            INSERT INTO outbox (account_id, recipient, state, attempts, created_at, updated_at, next_attempt_at)
            SELECT id, email, 'queued', 0, now(), now(), now() FROM users ORDER BY id
            """)
        var jobs: [(Process, String)] = []
        for _ in 1...3 { jobs.append(try shell("\"$1\" outbox retry --format json")) }
        let outputs = try finish(jobs)
        let sent = outputs.compactMap { output -> Int? in
            guard let range = output.range(of: #""sent":\d+"#, options: .regularExpression) else { return nil }
            return Int(output[range].dropFirst(7))
        }
        XCTAssertEqual(sent.count, 3, "\(outputs)")
        XCTAssertEqual(sent.reduce(0, +), 600, "\(sent)")
        XCTAssertGreaterThanOrEqual(sent.filter { $0 > 0 }.count, 2, "the retries ran at once and shared the rows: \(sent)")
        XCTAssertEqual(outboxFiles().count, 600, "one mail a row")
        XCTAssertEqual(try psql("SELECT state, count(*), max(attempts) FROM outbox GROUP BY state"), ["sent|600|1"])
    }

    /// SIGKILL in the middle of a batched purge: whole batches only, each with its audit entry;
    /// the next run takes over the dead run's lease and finishes.
    func testKilledInTheMiddleOfABatchedPurgeLeavesWholeBatches() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        let rows = 100_000
        try insertUsers(rows)
        let (process, _) = try shell("exec \"$1\" purge-expired -q --batch-size 1000")
        let deadline = Date().addingTimeInterval(60)
        while try psql("SELECT count(*) FROM purged_users") == ["0"], Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        Thread.sleep(forTimeInterval: 0.1)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let archived = assertWholeBatches(try psql("""
            SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM purged_users), (SELECT count(*) FROM audit_log WHERE action = 'purge')
            """), rows: rows)
        XCTAssertEqual(try psql("SELECT count(*) FROM purged_users p JOIN audit_log a ON a.id = p.audit_id "), ["\(archived)"])

        let rest = try accounts("purge-expired")
        XCTAssertEqual(rest.status, 0, rest.stderr)
        XCTAssertEqual(rest.stdout, "purged \(rows - archived) accounts\n")
        XCTAssertTrue(rest.stderr.contains("took over the lease"), rest.stderr)
        XCTAssertEqual(try psql("SELECT count(*) FROM purged_users"), ["\(rows)"])
    }

    func testASecondPurgeDoesNotRunBesideTheFirst() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        try insertUsers(50_000)
        let (first, log) = try shell("exec \"$1\" purge-expired --batch-size 100")
        let deadline = Date().addingTimeInterval(60)
        while try psql("SELECT count(*) FROM purge_lease") == ["0"], Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        let second = try accounts("purge-expired", env: ["ACCOUNTS_DATABASE": server.uri(database, viaBouncer: true)])
        first.waitUntilExit()
        assertFails(second, 75, "another purge is running (")
        XCTAssertTrue(second.stderr.contains(" pid \(first.processIdentifier)"), second.stderr)
        let output = try String(contentsOfFile: log, encoding: .utf8)
        XCTAssertEqual(first.terminationStatus, 0, output)
        XCTAssertEqual(try psql("SELECT count(*) FROM purged_users"), ["50000"])
    }

    /// A purge of 250,000 of 1,000,000 accounts while a site keeps registering: every
    /// registration succeeds while the purge runs, none waiting for the whole purge (the longest
    /// wait is reported; `make bench` measures it properly). `list` streams the million rows in
    /// flat memory.
    func testAPurgeOfAQuarterOfAMillionWhileRegistering() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        try insertUsers(250_000, prefix: "old")
        try insertUsers(750_000, prefix: "new", joined: "2099-01-01 00:00:00+00")
        let (purge, purgeLog) = try shell("""
            echo "START $(date +%s%N)"; "$1" purge-expired; echo "END $(date +%s%N)"
            """)
        let (registering, registerLog) = try shell("""
            i=1
            while kill -0 \(purge.processIdentifier) 2>/dev/null && [ $i -le 2000 ]; do
              start=$(date +%s%N)
              "$1" register live$i live$i@example.com --no-send -q >/dev/null || echo "FAILED $i: $?"
              echo "WAIT $(( $(date +%s%N) - start )) $start"
              i=$((i + 1))
            done
            """)
        let outputs = try finish([(purge, purgeLog), (registering, registerLog)])
        XCTAssertTrue(outputs[0].contains("purged 250000 accounts"), outputs[0])
        XCTAssertFalse(outputs[1].contains("FAILED"), outputs[1])
        let purgeSpan = try XCTUnwrap(spans(outputs[0]).first)
        let waits = outputs[1].split(separator: "\n").compactMap { line -> (Double, Double)? in
            let parts = line.split(separator: " ")
            guard parts.count == 3, parts[0] == "WAIT", let wait = Double(parts[1]), let start = Double(parts[2]) else { return nil }
            return (wait / 1e9, start / 1e9)
        }
        let during = waits.filter { $0.1 > purgeSpan.0 && $0.1 + $0.0 < purgeSpan.1 }
        XCTAssertGreaterThan(during.count, 5, "registrations completed while the purge ran: \(waits.count) in all")
        let longest = during.map(\.0).max() ?? 0
        print("purge of 250,000 of 1,000,000 took \(String(format: "%.1f", purgeSpan.1 - purgeSpan.0)) s; \(during.count) registrations meanwhile, the longest took \(String(format: "%.3f", longest)) s")
        XCTAssertLessThan(longest, (purgeSpan.1 - purgeSpan.0) / 2, "no registration waited for the purge")
        XCTAssertEqual(try psql("SELECT count(*) FROM users WHERE user_id LIKE 'live%'"), ["\(waits.count)"])

        // list --format json of the 750,000 left (and more) in flat memory.
        let measured = try run("/usr/bin/python3", ["-c", """
            import resource, subprocess, sys
            with open("/dev/null", "w") as sink:
                status = subprocess.run([sys.argv[1], "list", "--format", "json"], stdout=sink).returncode
            print(status, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
            """, Self.binary])
        let parts = measured.stdout.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        XCTAssertEqual(parts.first, 0, measured.stderr)
        XCTAssertLessThan(parts.last ?? .max, 64 * 1024, "max RSS in KiB while listing 750,000 rows: \(parts)")
    }

    /// The whole flow through PgBouncer in transaction-pooling mode, where consecutive
    /// transactions of one client may run on different server connections.
    func testTheCoreFlowThroughPgBouncer() throws {
        environment["ACCOUNTS_DATABASE"] = server.uri(database, viaBouncer: true)
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        let link = try accounts("register", "hong", "hong@example.com")
        XCTAssertEqual(link.status, 0, link.stderr)
        XCTAssertEqual(try accounts("register", "--from-csv", "-", stdin: "user_id,email\na,a@example.com\nb,b@example.com\n").status, 0)
        XCTAssertEqual(try accounts("send-activation", "a", "--force").status, 0)
        let activated = try accounts("activate", link.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(activated.status, 0, activated.stderr)
        try psql("UPDATE users SET date_joined = '2020-01-01+00', activation_sent_at = NULL WHERE user_id = 'b'")
        XCTAssertEqual(try accounts("purge-expired").stdout, "purged 1 account\n")
        XCTAssertEqual(try accounts("restore", "b", "--no-send").status, 0)
        XCTAssertEqual(try accounts("outbox", "retry", "--all").status, 0)
        let listed = try jsonArray(try accounts("list", "--format", "json").stdout)
        XCTAssertEqual(listed.map { $0["user_id"] as? String }, ["hong", "a", "b"])
        XCTAssertEqual(try accounts("log", "--user", "b", "--format", "csv").stdoutLines.count, 5)
        let export = try accounts("export")
        XCTAssertEqual(export.status, 0, export.stderr)
        XCTAssertEqual(export.stdout.split(separator: "\n").count, 1 + 3 + 10 + 1 + 4 + 1, export.stdout)
    }
}
