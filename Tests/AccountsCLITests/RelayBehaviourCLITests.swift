import Foundation
import XCTest

/// How delivery behaves against a relay that is slow, limited or set up differently from the
/// tool, through the built binary against aiosmtpd (Tests/smtp/server.py), whose session log
/// shows every connection and command in order. (The same against Postfix: PostfixCLITests.)
final class RelayBehaviourCLITests: SMTPCLITestCase {
    /// What the server saw after it was ready (aiosmtpd checks itself with a connection first).
    func sessionLog(_ server: SMTPTestServer) -> [String] {
        let lines = ((try? String(contentsOfFile: server.maildir + "/session.log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        return Array(lines.drop { $0 != "- READY" }.dropFirst())
    }

    /// The most connections the server had open at one time, and how many it saw in all.
    func connections(_ server: SMTPTestServer) -> (atOnce: Int, total: Int) {
        var open: Set<Substring> = [], most = 0, total = 0
        for line in sessionLog(server) {
            let port = line.split(separator: " ")[0]
            if line.hasSuffix(" CONNECT") { open.insert(port); total += 1; most = max(most, open.count) }
            if line.hasSuffix(" DISCONNECT") { open.remove(port) }
        }
        return (most, total)
    }

    func writeClass(_ rows: Int) throws {
        let csv = "user_id,email\n" + (0..<rows).map { "s\($0),s\($0)@example.com" }.joined(separator: "\n") + "\n"
        try csv.write(toFile: directory + "/class.csv", atomically: true, encoding: .utf8)
    }

    /// --concurrency N means N connections open at the same time (before: as many as CPUs).
    func testConcurrencyMeansThatManyConnectionsAtOnce() throws {
        for concurrency in [8, 3] {
            let slow = try server("starttls", behaviour: "slow-data")
            try writeClass(24)
            let database = "c\(concurrency).sqlite3"
            let result = try accounts("register", "--from-csv", "class.csv", "--concurrency", String(concurrency), "--database", database)
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(slow.received.count, 24)
            let seen = connections(slow)
            XCTAssertEqual(seen.atOnce, concurrency, "\(concurrency) connections open at once: \(sessionLog(slow).prefix(30))")
            XCTAssertEqual(seen.total, concurrency, "one connection per worker, reused")
            slow.stop()
        }
    }

    /// A 421 ("too many messages") stops the run from opening connections: the connections that
    /// still work send on, the mails nobody tried stay queued (not failed), exit 75 says when they
    /// go, and a later retry sends each remaining mail once.
    func testARelayThatSaysNotNowIsNotHammered() throws {
        let limited = try server("starttls", behaviour: "limit-421-after-10")
        try writeClass(60)
        let result = try accounts("register", "--from-csv", "class.csv", "--concurrency", "4")
        XCTAssertEqual(result.status, 75, result.stderr)
        XCTAssertEqual(limited.received.count, 10)
        let seen = connections(limited)
        XCTAssertLessThanOrEqual(seen.total, 4, "no new connection after the 421: \(seen)")
        let states = Dictionary(uniqueKeysWithValues: try sql("SELECT state, count(*) FROM outbox GROUP BY state").map {
            ($0.split(separator: "|")[0], Int($0.split(separator: "|")[1])!) })
        XCTAssertEqual(states["sent"], 10)
        XCTAssertLessThanOrEqual(states["failed-temporary"] ?? 0, 4, "only the mails that met the 421: \(states)")
        XCTAssertEqual((states["queued"] ?? 0) + (states["failed-temporary"] ?? 0), 50)
        XCTAssertEqual(try sql("SELECT count(*) FROM outbox WHERE state = 'queued' AND attempts = 0 AND next_attempt_at > created_at"),
                       ["\(states["queued"] ?? 0)"], "never attempted, due again after a pause")
        XCTAssertTrue(result.stderr.contains("not mailed: "), result.stderr)
        XCTAssertTrue(result.stderr.contains("421 4.7.0"), result.stderr)
        XCTAssertTrue(result.stderr.contains("were not tried after the relay said no, and stay queued: accounts outbox retry sends them from"), result.stderr)

        // Not due yet: retry says so, with when and how to send now.
        let early = try accounts("outbox", "retry", "--format", "json")
        XCTAssertEqual(early.status, 0, early.stderr)
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(early.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(summary["sent"] as? Int, 0)
        XCTAssertEqual(summary["waiting"] as? Int, 50)
        XCTAssertNotNil(summary["next_attempt_at"] as? String)
        XCTAssertTrue(early.stderr.contains("50 mails wait for a later retry, the first due at "), early.stderr)
        XCTAssertTrue(early.stderr.contains("accounts outbox retry --all sends them now"), early.stderr)

        limited.stop()
        let fine = try server("starttls")
        let later = try accounts("outbox", "retry", "--all")
        XCTAssertEqual(later.status, 0, later.stderr)
        XCTAssertEqual(fine.received.count, 50)
        let everyone = try (limited.received + fine.received).flatMap { eml -> [String] in
            let server = limited.received.contains(eml) ? limited : fine
            return try server.envelope(eml)["rcpt_tos"] as? [String] ?? []
        }
        XCTAssertEqual(everyone.count, 60)
        XCTAssertEqual(Set(everyone).count, 60, "each mail once")
    }

    /// A relay that accepts connections and never greets costs one EMAIL_TIMEOUT, not one per mail.
    func testARelayThatNeverGreetsCostsOneTimeout() throws {
        let silent = try HostileSMTPServer(python: python, behaviour: "silent", in: directory)
        defer { silent.stop() }
        environment["ACCOUNTS_EMAIL_PORT"] = String(silent.port)
        environment["ACCOUNTS_EMAIL_USE_TLS"] = "true"
        environment["ACCOUNTS_EMAIL_TIMEOUT"] = "2"
        try writeClass(300)
        let started = Date()
        let result = try accounts("register", "--from-csv", "class.csv", "--concurrency", "4")
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(result.status, 75, result.stderr)
        XCTAssertLessThan(elapsed, 20, "one round of timeouts, not 300 (600 s)")
        XCTAssertLessThanOrEqual(silent.commands.filter { $0 == "CONNECTED" }.count, 4)
        XCTAssertEqual(try sql("SELECT count(*) FROM outbox WHERE state = 'failed-temporary'").first.flatMap { Int($0) }.map { $0 <= 4 }, true)
        XCTAssertEqual(try sql("SELECT count(*) FROM outbox WHERE state IN ('queued', 'failed-temporary')"), ["300"])
    }

    /// Refusals that mean "your settings are wrong" are configuration errors (78), the mail stays
    /// for a retry (failed-temporary), and the message says which setting to look at.
    func testRefusalsAboutTheSettingsAreConfigurationErrors() throws {
        let cases: [(behaviour: String, security: String, reply: String, advice: String)] = [
            ("starttls-required", "plain", "530 5.7.0 Must issue a STARTTLS command first", "set EMAIL_USE_TLS"),
            ("relay-denied", "starttls", "554 5.7.1", "check EMAIL_HOST_USER"),
            ("ehlo-504", "starttls", "504 5.5.2", "set EMAIL_EHLO_NAME"),
        ]
        for (index, item) in cases.enumerated() {
            let relay: SMTPTestServer
            if item.security == "plain" {
                relay = try SMTPTestServer(python: python, security: "plain", behaviour: item.behaviour, certificate: nil, user: "", password: "", in: directory)
                servers.append(relay)
                environment["ACCOUNTS_EMAIL_PORT"] = String(relay.port)
                environment["ACCOUNTS_EMAIL_USE_TLS"] = "false"
                environment["ACCOUNTS_EMAIL_HOST_USER"] = ""
            } else {
                relay = try server(item.security, behaviour: item.behaviour)
                environment["ACCOUNTS_EMAIL_HOST_USER"] = user
            }
            let result = try accounts("register", "u\(index)", "u\(index)@example.com")
            assertFails(result, 78, item.reply)
            XCTAssertTrue(result.stderr.contains(item.advice), "\(item.behaviour): \(result.stderr)")
            XCTAssertEqual(try sql("SELECT state FROM outbox WHERE account_id = \(index + 1)"), ["failed-temporary"], item.behaviour)
            relay.stop()
        }
        // An unknown recipient stays a bad address, for good.
        _ = try server("starttls", behaviour: "rcpt-550")
        assertFails(try accounts("register", "bad", "bad@example.com"), 65, "550 5.1.1")
        XCTAssertEqual(try sql("SELECT state FROM outbox WHERE account_id = 4"), ["failed-permanent"])
    }

    func testTheEHLONameIsTheSettingOrAFullyQualifiedNameOrAnAddressLiteral() throws {
        let relay = try server("starttls")
        XCTAssertEqual(try accounts("register", "a", "a@example.com", "-q").status, 0)
        let said = sessionLog(relay).compactMap { $0.split(separator: " ").count == 3 && $0.contains(" EHLO-NAME ") ? String($0.split(separator: " ")[2]) : nil }
        XCTAssertFalse(said.isEmpty)
        for name in said {
            XCTAssertTrue(name == "[127.0.0.1]" || (name.contains(".") && !name.hasPrefix("[")), "a FQDN or our address, not a bare host name: \(name)")
        }
        environment["ACCOUNTS_EMAIL_EHLO_NAME"] = "mail.example.test"
        XCTAssertEqual(try accounts("register", "b", "b@example.com", "-q").status, 0)
        XCTAssertTrue(sessionLog(relay).contains { $0.hasSuffix(" EHLO-NAME mail.example.test") })
        environment["ACCOUNTS_EMAIL_EHLO_NAME"] = "bad name\r\nRSET"
        assertFails(try accounts("register", "c", "c@example.com"), 78, "EMAIL_EHLO_NAME must be a domain name")
    }

    /// Implicit TLS against a STARTTLS port: OpenSSL's "wrong version number" becomes a hint (78).
    func testTheWrongTLSModeForThePortGetsAHint() throws {
        _ = try server("starttls")
        environment["ACCOUNTS_EMAIL_USE_TLS"] = "false"
        environment["ACCOUNTS_EMAIL_USE_SSL"] = "true"
        let result = try accounts("register", "hong", "hong@example.com")
        assertFails(result, 78, "speaks plain SMTP first, not TLS: port 587 expects EMAIL_USE_TLS (STARTTLS), and EMAIL_USE_SSL is for port 465")
    }

    /// STARTTLS settings against port 465: the two sides wait for each other; the timeout says why.
    func testSTARTTLSAgainstPort465GetsAHint() throws {
        try XCTSkipUnless(getuid() == 0, "port 465 needs root to listen on")
        let implicit = try SMTPTestServer(python: python, security: "ssl", certificate: TestCertificates.shared.localhost,
                                          user: user, password: password, in: directory, port: 465)
        servers.append(implicit)
        environment["ACCOUNTS_EMAIL_PORT"] = "465"
        environment["ACCOUNTS_EMAIL_USE_TLS"] = "true"
        environment["ACCOUNTS_EMAIL_TIMEOUT"] = "2"
        assertFails(try accounts("register", "hong", "hong@example.com"), 78, "port 465 expects EMAIL_USE_SSL")
    }

    /// QUIT after a refused AUTH (Postfix logged "lost connection after AUTH"), never QUIT in clear
    /// after a failed TLS handshake.
    func testQUITAfterAFailedAuthButNeverInClearAfterAFailedHandshake() throws {
        let relay = try server("starttls")
        try writeSecrets(password: "wrong")
        assertFails(try accounts("register", "hong", "hong@example.com"), 78, "535")
        let commands = sessionLog(relay).map { $0.split(separator: " ").last.map(String.init) ?? "" }
        XCTAssertEqual(Array(commands.suffix(3)), ["AUTH", "QUIT", "DISCONNECT"], "\(sessionLog(relay))")
        relay.stop()

        let untrusted = try server("starttls", certificate: TestCertificates.shared.unknownCA)
        try writeSecrets(password: password)
        assertFails(try accounts("register", "kim", "kim@example.com"), 69, "certificate verification failed")
        XCTAssertFalse(sessionLog(untrusted).contains { $0.hasSuffix(" QUIT") }, "\(sessionLog(untrusted))")
    }

    func testACAFileThatIsNotThereIsAConfigurationErrorBeforeConnecting() throws {
        let relay = try server("starttls")
        environment["ACCOUNTS_EMAIL_SSL_CAFILE"] = directory + "/no-such-ca.pem"
        let before = try dump()
        assertFails(try accounts("register", "hong", "hong@example.com"), 78, "EMAIL_SSL_CAFILE \(directory)/no-such-ca.pem does not exist")
        XCTAssertEqual(try dump(), before, "refused before anything was written")
        XCTAssertEqual(connections(relay).total, 0)
    }

    func testCheckSMTPTalksOnStderrAndPrintsJSONOnRequest() throws {
        _ = try server("starttls")
        let plain = try accounts("check-smtp")
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertEqual(plain.stdout, "")
        XCTAssertTrue(plain.stderr.contains("C: STARTTLS"), plain.stderr)
        let quiet = try accounts("check-smtp", "-q", "--format", "json")
        XCTAssertEqual(quiet.status, 0, quiet.stderr)
        XCTAssertEqual(quiet.stderr, "")
        let found = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(quiet.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(found["security"] as? String, "startTLS")
        XCTAssertTrue((found["tls"] as? String)?.hasPrefix("TLSv1.") == true)
        XCTAssertEqual(found["authenticated_as"] as? String, user)
        // An IPv6 host is written as [::1]:port.
        environment["ACCOUNTS_EMAIL_HOST"] = "::1"
        let port = SMTPTestServer.freePort()
        environment["ACCOUNTS_EMAIL_PORT"] = String(port)
        assertFails(try accounts("check-smtp", "-q"), 69, "[::1]:\(port)")
    }
}
