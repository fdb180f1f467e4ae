import Foundation
import XCTest

/// SMTP delivery through the built binary against a real server (aiosmtpd) with real TLS.
final class SMTPDeliveryTests: SMTPCLITestCase {
    func testSTARTTLSWithAuthDeliversTheActivationMail() throws {
        let server = try server("starttls")
        let result = try accounts("register", "hong", "hong@example.com")
        XCTAssertEqual(result.status, 0, result.stderr)
        assertNoPassword(result)
        let url = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let received = server.received
        XCTAssertEqual(received.count, 1)
        guard !received.isEmpty else { return }
        let envelope = try server.envelope(received[0])
        XCTAssertEqual(envelope["mail_from"] as? String, user)
        XCTAssertEqual(envelope["rcpt_tos"] as? [String], ["hong@example.com"])
        XCTAssertEqual(envelope["tls"] as? Bool, true)
        XCTAssertEqual(envelope["authenticated"] as? Bool, true)

        let script = """
            import email, json, sys
            from email import policy
            m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=policy.default)
            print(json.dumps({"subject": str(m["subject"]), "from": str(m["from"]), "type": m.get_content_type(),
                              "parts": [(p.get_content_type(), p.get_content()) for p in m.iter_parts()],
                              "defects": len(m.defects)}, ensure_ascii=False))
            """
        let parsed = try run(python, ["-c", script, received[0]])
        let message = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [String: Any], parsed.stderr)
        XCTAssertEqual(message["subject"] as? String, "hong님의 회원가입 인증메일 입니다.")
        XCTAssertEqual(message["from"] as? String, "회원관리 <\(user)>")
        XCTAssertEqual(message["type"] as? String, "multipart/alternative")
        XCTAssertEqual(message["defects"] as? Int, 0)
        let parts = try XCTUnwrap(message["parts"] as? [[String]])
        XCTAssertEqual(parts.map { $0[0] }, ["text/plain", "text/html"])
        XCTAssertTrue(parts.allSatisfy { $0[1].contains(url) }, "both parts carry the activation URL")
        XCTAssertEqual(try sql("SELECT activation_sent_at IS NOT NULL FROM users"), ["1"])
    }

    func testImplicitTLSOnItsOwnPort() throws {
        let server = try server("ssl")
        let result = try accounts("register", "hong", "hong@example.com")
        XCTAssertEqual(result.status, 0, result.stderr)
        let received = try XCTUnwrap(server.received.first)
        XCTAssertEqual(server.received.count, 1)
        XCTAssertEqual(try server.envelope(received)["authenticated"] as? Bool, true)
    }

    func testCertificateForAnotherHostIsRefused() throws {
        let server = try server("starttls", certificate: TestCertificates.shared.otherHost)
        let result = try accounts("register", "hong", "hong@example.com")
        assertFails(result, 69, "certificate verification failed")
        XCTAssertTrue(result.stderr.contains("hostname mismatch"), result.stderr)
        XCTAssertTrue(result.stderr.contains("accounts send-activation hong"), result.stderr)
        try assertAccountKeptUnmailed()
        XCTAssertEqual(server.received.count, 0)
    }

    func testCertificateFromAnUnknownCAIsRefused() throws {
        let server = try server("ssl", certificate: TestCertificates.shared.unknownCA)
        let result = try accounts("register", "hong", "hong@example.com")
        assertFails(result, 69, "certificate verification failed: unable to get local issuer certificate")
        try assertAccountKeptUnmailed()
        XCTAssertEqual(server.received.count, 0)
    }

    func testNoSTARTTLSOfferedMeansNothingSentInClear() throws {
        let server = try server("starttls", behaviour: "no-starttls")
        let result = try accounts("register", "hong", "hong@example.com")
        assertFails(result, 69, "does not offer STARTTLS")
        try assertAccountKeptUnmailed()
        XCTAssertEqual(server.received.count, 0)
        let walk = try accounts("check-smtp", "--to", "x@example.com")
        XCTAssertEqual(walk.status, 69)
        XCTAssertFalse(walk.stderr.contains("C: AUTH"), "no credentials in clear: \(walk.stderr)")
        XCTAssertFalse(walk.stderr.contains("C: MAIL"))
        assertNoPassword(result, walk)
    }

    func testWrongPasswordIsAConfigurationErrorAndSendActivationRetries() throws {
        let server = try server("starttls")
        try writeSecrets(password: "not-the-password")
        let result = try accounts("register", "hong", "hong@example.com")
        assertFails(result, 78, "535")
        XCTAssertFalse(result.stderr.contains("not-the-password"))
        try assertAccountKeptUnmailed()
        try writeSecrets(password: password)
        let retry = try accounts("send-activation", "hong")
        XCTAssertEqual(retry.status, 0, retry.stderr)
        XCTAssertEqual(server.received.count, 1)
        assertNoPassword(result, retry)
    }

    func testTemporaryFailureIsTryLater() throws {
        _ = try server("starttls", behaviour: "mail-451")
        assertFails(try accounts("register", "hong", "hong@example.com"), 75, "451")
        try assertAccountKeptUnmailed()
    }

    func testRecipientRefusedIsBadData() throws {
        _ = try server("starttls", behaviour: "rcpt-550")
        let result = try accounts("register", "hong", "hong@example.com")
        assertFails(result, 65, "550")
        XCTAssertTrue(result.stderr.contains("RCPT TO"), result.stderr)
        try assertAccountKeptUnmailed()
    }

    func testServerThatStopsAnsweringMidDataTimesOut() throws {
        _ = try server("starttls", behaviour: "hang-data")
        environment["ACCOUNTS_EMAIL_TIMEOUT"] = "3"
        let started = Date()
        let result = try accounts("register", "hong", "hong@example.com")
        let elapsed = Date().timeIntervalSince(started)
        assertFails(result, 75, "did not answer within 3 s")
        XCTAssertTrue(result.stderr.contains("the message body"), result.stderr)
        XCTAssertLessThan(elapsed, 3 + 4, "EMAIL_TIMEOUT plus a margin")
        try assertAccountKeptUnmailed()
    }

    func testConnectionRefused() throws {
        environment["ACCOUNTS_EMAIL_PORT"] = String(SMTPTestServer.freePort())
        environment["ACCOUNTS_EMAIL_USE_TLS"] = "true"
        assertFails(try accounts("register", "hong", "hong@example.com"), 69, "Connection refused")
        try assertAccountKeptUnmailed()
    }

    func testCheckSMTPWalksThroughEveryStep() throws {
        let server = try server("starttls")
        let result = try accounts("check-smtp", "--to", "postmaster@example.com")
        XCTAssertEqual(result.status, 0, result.stderr)
        for expected in ["S: 220 ", "C: EHLO ", "250-STARTTLS", "C: STARTTLS", "TLS established with localhost: TLSv1.",
                         "C: AUTH PLAIN ********", "S: 235", "ok: connected, encrypted", "authenticated as \(user)",
                         "ok: test message accepted for postmaster@example.com: 250"] {
            XCTAssertTrue(result.stderr.contains(expected), "missing \(expected) in:\n\(result.stderr)")
        }
        XCTAssertEqual(server.received.count, 1)
        assertNoPassword(result)
    }

    func testAuthWithoutTLSIsRefusedBeforeConnecting() throws {
        _ = try server("plain", certificate: nil)
        assertFails(try accounts("register", "hong", "hong@example.com"), 78, "without TLS")
        try assertAccountKeptUnmailed()
    }

    /// CVE-2011-0411's client side: replies a man in the middle sends in clear right after the 220
    /// to STARTTLS must not be read as if they came over TLS. Before the fix the injected
    /// "250 2.0.0 accepted" was taken for the server's answer: exit 0, outbox `sent`, mail lost.
    func testRepliesInjectedBeforeTheTLSHandshakeAreRefused() throws {
        let hostile = try HostileSMTPServer(python: python, behaviour: "starttls-injection", in: directory)
        defer { hostile.stop() }
        environment["ACCOUNTS_EMAIL_PORT"] = String(hostile.port)
        environment["ACCOUNTS_EMAIL_USE_TLS"] = "true"
        environment["ACCOUNTS_EMAIL_HOST_USER"] = "" // no AUTH: the injection alone must not fool the client
        let result = try accounts("register", "hong", "hong@example.com")
        assertFails(result, 69, "sent more after its 220 to STARTTLS, before the TLS handshake")
        try assertAccountKeptUnmailed()
        XCTAssertEqual(try sql("SELECT state FROM outbox"), ["failed-temporary"])
        XCTAssertFalse(hostile.commands.contains("TLS"), "no handshake after the injection: \(hostile.commands)")
        XCTAssertFalse(hostile.commands.contains { $0.hasPrefix("MAIL") }, "\(hostile.commands)")
    }

    /// Plain SMTP to a relay elsewhere sends live links in clear: said once per run, however many
    /// connections run into it. A relay on this machine is fine.
    func testCleartextToAnotherMachineIsWarnedAboutOnce() throws {
        environment["ACCOUNTS_EMAIL_HOST"] = "192.0.2.1" // TEST-NET-1: never answers
        environment["ACCOUNTS_EMAIL_HOST_USER"] = ""
        environment["ACCOUNTS_EMAIL_TIMEOUT"] = "1"
        try "user_id,email\na,a@example.com\nb,b@example.com\nc,c@example.com\n".write(toFile: directory + "/c.csv", atomically: true, encoding: .utf8)
        let result = try accounts("register", "--from-csv", "c.csv", "--concurrency", "3", "-q")
        XCTAssertNotEqual(result.status, 0)
        let warnings = result.stderr.split(separator: "\n").filter { $0.contains("warning:") }
        XCTAssertEqual(warnings, ["accounts: warning: EMAIL_HOST 192.0.2.1 is not this machine, and neither EMAIL_USE_TLS nor EMAIL_USE_SSL is set: activation links cross the network in clear, for anyone on the path to use first"])

        // A relay on this machine that takes mail without AUTH, as a local Postfix does.
        let open = try SMTPTestServer(python: python, security: "plain", certificate: nil, user: "", password: "", in: directory)
        servers.append(open)
        environment["ACCOUNTS_EMAIL_HOST"] = "127.0.0.1"
        environment["ACCOUNTS_EMAIL_PORT"] = String(open.port)
        let local = try accounts("register", "hong", "hong@example.com", "-q")
        XCTAssertEqual(local.status, 0, local.stderr)
        XCTAssertEqual(local.stderr, "", "no warning for a relay on this machine")
    }
}
