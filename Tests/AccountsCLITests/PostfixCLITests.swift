import Foundation
import XCTest

/// Delivery through the operator's relay: Postfix from Debian (Tests/smtp/postfix.py), with
/// Dovecot SASL, STARTTLS+AUTH and implicit TLS+AUTH, local delivery into a Maildir. Skipped, with
/// the reason, where Postfix cannot run; in CI (`.ci/run` installs it) it must.
final class PostfixCLITests: SMTPCLITestCase {
    var relay: PostfixRelay?

    override func setUpWithError() throws {
        try PostfixRelay.require()
        try super.setUpWithError()
        addTeardownBlock { [weak self] in self?.relay?.stop() }
    }

    func startRelay(_ settings: [String] = []) throws -> PostfixRelay {
        let relay = try PostfixRelay(python: python, in: directory, user: user, password: password, settings: settings)
        self.relay = relay
        environment["ACCOUNTS_EMAIL_PORT"] = String(relay.starttlsPort)
        environment["ACCOUNTS_EMAIL_USE_TLS"] = "true"
        environment["ACCOUNTS_EMAIL_USE_SSL"] = "false"
        return relay
    }

    func writeClass(_ rows: Int, _ name: String = "class.csv") throws {
        let csv = "user_id,email\n" + (0..<rows).map { "s\($0),s\($0)@example.com" }.joined(separator: "\n") + "\n"
        try csv.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
    }

    /// Every row mailed once. With `stoppedRelay`, a second copy is allowed only where Postfix
    /// itself lost track: it answered a message with a 4xx (so `accounts` rightly tried again,
    /// as the audit log shows) although its cleanup had already queued the file, which the next
    /// start delivered. What is never allowed is a second copy of a mail the relay acknowledged.
    func assertEachOnce(_ relay: PostfixRelay, _ rows: Int, stoppedRelay: Bool = false,
                        file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = Set((0..<rows).map { "s\($0)@example.com" })
        let failedFirst = Set(try sql("SELECT user_id || '@example.com' FROM audit_log WHERE action = 'send-activation' AND outcome = 'failed'"))
        relay.waitForDeliveries(rows)
        var recipients = try relay.recipients()
        if stoppedRelay {
            Thread.sleep(forTimeInterval: 1) // a copy the restart delivered late
            recipients = try relay.recipients()
            var seen: Set<String> = []
            let twice = recipients.filter { !seen.insert($0).inserted }
            XCTAssertTrue(Set(twice).isSubset(of: failedFirst), "a second copy only of mails Postfix refused the first time: \(twice) vs \(failedFirst.sorted().prefix(5))", file: file, line: line)
            recipients = Array(seen)
        }
        XCTAssertEqual(recipients.count, rows, "delivered", file: file, line: line)
        XCTAssertEqual(Set(recipients), expected, "everyone, once", file: file, line: line)
        XCTAssertEqual(try sql("SELECT count(*) FROM outbox WHERE state = 'sent'"), ["\(rows)"], file: file, line: line)
    }

    func testThreeHundredMailsArriveExactlyOnceOverSTARTTLSAndOverImplicitTLS() throws {
        let relay = try startRelay()
        try writeClass(300)
        let result = try accounts("register", "--from-csv", "class.csv", "--concurrency", "4")
        XCTAssertEqual(result.status, 0, result.stderr)
        try assertEachOnce(relay, 300)
        XCTAssertFalse(relay.log.contains { $0.contains("warning") && $0.contains("smtpd") }, relay.log.filter { $0.contains("warning") }.joined(separator: "\n"))
        XCTAssertFalse(relay.log.contains { $0.contains("lost connection") }, "every session ends with QUIT")

        // Implicit TLS on its own port: a few more, and a refused AUTH ends with QUIT too.
        environment["ACCOUNTS_EMAIL_PORT"] = String(relay.tlsPort)
        environment["ACCOUNTS_EMAIL_USE_TLS"] = "false"
        environment["ACCOUNTS_EMAIL_USE_SSL"] = "true"
        let implicit = try accounts("register", "tls", "tls@example.com")
        XCTAssertEqual(implicit.status, 0, implicit.stderr)
        relay.waitForDeliveries(301)
        XCTAssertTrue(try relay.recipients().contains("tls@example.com"))
        try writeSecrets(password: "wrong")
        assertFails(try accounts("register", "denied", "denied@example.com"), 78, "535")
        Thread.sleep(forTimeInterval: 0.5)
        let last = relay.log.last { $0.contains("disconnect from") } ?? ""
        XCTAssertTrue(last.contains("auth=0/1") && last.contains("quit=1"), last)
    }

    /// Postfix stopped after about a third; the run exits 75; started again, the same file
    /// delivers the rest, and nobody gets two mails (but where Postfix's own stop lost track).
    func testPostfixStoppedHalfwayAndStartedAgainDeliversTheRestOnce() throws {
        let relay = try startRelay()
        try writeClass(300)
        let (process, _, errors) = try startAccounts(["register", "--from-csv", "class.csv", "--concurrency", "4"])
        let deadline = Date().addingTimeInterval(60)
        while (Int(try sql("SELECT count(*) FROM outbox WHERE state = 'sent'").first ?? "0") ?? 0) < 100 && Date() < deadline && process.isRunning {
            Thread.sleep(forTimeInterval: 0.02)
        }
        try relay.command("stop")
        process.waitUntilExit()
        let firstErrors = try String(contentsOfFile: errors, encoding: .utf8)
        XCTAssertEqual(process.terminationStatus, 75, firstErrors.suffix(800).description)
        let sentFirst = Int(try sql("SELECT count(*) FROM outbox WHERE state = 'sent'").first ?? "0") ?? 0
        XCTAssertGreaterThanOrEqual(sentFirst, 100)
        XCTAssertLessThan(sentFirst, 300, "Postfix really stopped halfway")

        try relay.command("start")
        let rerun = try accounts("register", "--from-csv", "class.csv", "--concurrency", "4")
        XCTAssertEqual(rerun.status, 0, rerun.stderr.suffix(800).description)
        XCTAssertTrue(rerun.stderr.contains("registered 0 new accounts (300 already there"), rerun.stderr.prefix(300).description)
        try assertEachOnce(relay, 300, stoppedRelay: true)
    }

    /// Postfix's own rate limits (anvil): the run backs off and exits 75 instead of opening a
    /// connection for every remaining mail; later retries complete it, each mail once.
    func testPostfixRateLimitsMakeTheRunBackOff() throws {
        let relay = try startRelay(["smtpd_client_message_rate_limit = 8", "smtpd_client_connection_rate_limit = 3",
                                    "anvil_rate_time_unit = 3s"])
        try writeClass(40)
        let result = try accounts("register", "--from-csv", "class.csv", "--concurrency", "4")
        XCTAssertEqual(result.status, 75, result.stderr)
        XCTAssertTrue(result.stderr.contains("were not tried after the relay said no"), result.stderr)
        XCTAssertLessThanOrEqual(relay.sessions.total, 4, "no storm of doomed connections: \(relay.sessions)")
        let sentFirst = Int(try sql("SELECT count(*) FROM outbox WHERE state = 'sent'").first ?? "0") ?? 0
        XCTAssertLessThanOrEqual(sentFirst, 8)
        XCTAssertGreaterThan(sentFirst, 0)

        // Cron, in fast motion: retry after each rate window until everything went out.
        var finished = false
        for _ in 0..<20 where !finished {
            Thread.sleep(forTimeInterval: 3.2)
            let retry = try accounts("outbox", "retry", "--all", "-q")
            XCTAssertTrue([0, 75].contains(retry.status), retry.stderr)
            finished = retry.status == 0
        }
        XCTAssertTrue(finished)
        try assertEachOnce(relay, 40)
    }

    /// A relay that takes a second a message: eight connections at once in Postfix's own log, and
    /// about eight times the throughput of one.
    func testEightConnectionsAtOnceAgainstASlowRelay() throws {
        let relay = try startRelay(["smtpd_data_restrictions = sleep 1"])
        var rates: [Int: Double] = [:]
        for (concurrency, rows) in [(1, 6), (8, 24)] {
            try writeClass(rows, "c\(concurrency).csv")
            let before = relay.sessions.total
            let started = Date()
            let result = try accounts("register", "--from-csv", "c\(concurrency).csv", "--concurrency", String(concurrency),
                                      "--database", "c\(concurrency).sqlite3")
            let seconds = Date().timeIntervalSince(started)
            XCTAssertEqual(result.status, 0, result.stderr)
            rates[concurrency] = Double(rows) / seconds
            XCTAssertEqual(relay.sessions.total - before, concurrency, "one connection per worker")
        }
        XCTAssertEqual(relay.sessions.atOnce, 8, "Postfix saw eight sessions open at the same time")
        let speedup = rates[8]! / rates[1]!
        XCTAssertGreaterThan(speedup, 5, "\(rates): eight connections send about eight times as fast as one")
    }
}
