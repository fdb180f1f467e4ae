import Foundation
import XCTest

/// The outbox through the binary against a real SMTP server: failures recorded and retried,
/// permanent refusals left alone, and no mail ever sent twice.
final class OutboxCLITests: SMTPCLITestCase {
    func outbox(_ arguments: String...) throws -> [[String: Any]] {
        let result = try accounts(["outbox", "list", "--format", "json"] + arguments)
        XCTAssertEqual(result.status, 0, result.stderr)
        return try jsonArray(result.stdout)
    }

    func recipients(_ server: SMTPTestServer) throws -> [String] {
        try server.received.flatMap { try server.envelope($0)["rcpt_tos"] as? [String] ?? [] }
    }

    func testATemporaryFailureIsRetriedWhenDueAndSentOnce() throws {
        _ = try server("starttls", behaviour: "mail-451")
        assertFails(try accounts("register", "hong", "hong@example.com"), 75, "it stays in the outbox")
        var rows = try outbox()
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(rows[0]["state"] as? String, "failed-temporary")
        XCTAssertEqual(rows[0]["attempts"] as? Int, 1)
        XCTAssertEqual(rows[0]["last_code"] as? Int, 451)
        XCTAssertEqual(rows[0]["recipient"] as? String, "hong@example.com")

        // The server is back; the retry is not due for a minute, so a plain retry sends nothing.
        let good = try server("starttls")
        let early = try accounts("outbox", "retry", "--format", "json")
        XCTAssertEqual(early.status, 0, early.stderr)
        XCTAssertTrue(early.stdout.contains("\"sent\":0"), early.stdout)
        let retried = try accounts("outbox", "retry", "--all")
        XCTAssertEqual(retried.status, 0, retried.stderr)
        XCTAssertTrue(retried.stderr.contains("sent #1 to 'hong'"), retried.stderr)
        XCTAssertEqual(try recipients(good), ["hong@example.com"])
        rows = try outbox()
        XCTAssertEqual(rows[0]["state"] as? String, "sent")
        XCTAssertEqual(rows[0]["attempts"] as? Int, 2)
        XCTAssertEqual(rows[0]["last_code"] as? Int, 250)
        XCTAssertEqual(try sql("SELECT activation_sent_at IS NOT NULL FROM users"), ["1"])

        // Nothing is left to send, and the link in the mail works.
        XCTAssertEqual(try accounts("outbox", "retry", "--all").status, 0)
        XCTAssertEqual(try recipients(good).count, 1, "sent once")
        XCTAssertEqual(try logActions(), ["register", "send-activation failed", "send-activation ok"])
    }

    func testAPermanentRefusalIsNotRetriedAndSendActivationReusesAWaitingMail() throws {
        _ = try server("starttls", behaviour: "rcpt-550")
        assertFails(try accounts("register", "hong", "hong@example.com"), 65, "the server refused it for good")
        XCTAssertEqual(try outbox("--state", "failed-permanent").count, 1)
        let good = try server("starttls")
        XCTAssertEqual(try accounts("outbox", "retry", "--all").status, 0)
        XCTAssertEqual(try recipients(good), [], "a permanent failure is not retried")

        // A temporary failure waits in the outbox; send-activation sends that row, not a second one.
        _ = try server("starttls", behaviour: "mail-451")
        assertFails(try accounts("send-activation", "hong", "--force"), 75, "it stays in the outbox")
        XCTAssertEqual(try outbox().count, 2)
        let back = try server("starttls")
        XCTAssertEqual(try accounts("send-activation", "hong").status, 0)
        XCTAssertEqual(try outbox().compactMap { $0["state"] as? String }, ["failed-permanent", "sent"])
        XCTAssertEqual(try recipients(back), ["hong@example.com"])
    }

    func testConcurrentRetriesSendEveryMailExactlyOnce() throws {
        // Twenty accounts whose mail could not go out: nothing listens on the port.
        environment["ACCOUNTS_EMAIL_PORT"] = String(SMTPTestServer.freePort())
        environment["ACCOUNTS_EMAIL_USE_TLS"] = "true"
        for i in 0..<20 {
            XCTAssertEqual(try accounts("register", "user\(i)", "user\(i)@example.com").status, 69)
        }
        // One row left as a crash would leave it, after the server's 250 and before the record.
        try sql("UPDATE outbox SET state = 'sending' WHERE id = 20")
        let server = try server("starttls")
        let script = "for i in 1 2 3; do '\(Self.binary)' outbox retry --all --quiet & done; wait"
        let result = try run("/bin/sh", ["-c", script])
        XCTAssertEqual(result.stderr, "")
        let sent = try recipients(server)
        XCTAssertEqual(sent.count, 19, "every queued mail once; the interrupted one not at all")
        XCTAssertEqual(Set(sent).count, 19)
        XCTAssertFalse(sent.contains("user19@example.com"))
        XCTAssertEqual(try sql("SELECT state, count(*) FROM outbox GROUP BY state ORDER BY state"), ["sending|1", "sent|19"])

        // While it may still be in flight, send-activation will not add a second mail; once it
        // counts as interrupted (taken over 15 minutes ago), it sends a new one.
        assertFails(try accounts("send-activation", "user19"), 75, "is being sent right now")
        try sql("UPDATE outbox SET updated_at = '2020-01-01 00:00:00.000000' WHERE id = 20")
        XCTAssertEqual(try accounts("send-activation", "user19").status, 0)
        XCTAssertEqual(try recipients(server).filter { $0 == "user19@example.com" }.count, 1)
    }

    func testMailForAnAccountThatChangedIsDropped() throws {
        environment["ACCOUNTS_EMAIL_PORT"] = String(SMTPTestServer.freePort())
        environment["ACCOUNTS_EMAIL_USE_TLS"] = "true"
        XCTAssertEqual(try accounts("register", "hong", "hong@example.com").status, 69)
        XCTAssertEqual(try accounts("register", "kim", "kim@example.com").status, 69)
        try sql("UPDATE users SET is_active = 1, last_login = '2026-01-01 00:00:00' WHERE user_id = 'hong'")
        try sql("UPDATE users SET email = 'kim2@example.com' WHERE user_id = 'kim'")
        let server = try server("starttls")
        let result = try accounts("outbox", "retry", "--all", "--format", "json")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("\"dropped\":2"), result.stdout)
        XCTAssertEqual(try recipients(server), [])
        XCTAssertEqual(try outbox("--state", "failed-permanent").compactMap { $0["last_reply"] as? String },
                       ["the account is already active",
                        "the account's email changed to kim2@example.com; send-activation mails the new address"])
    }

    func testListFormatsAndBadOptions() throws {
        environment["ACCOUNTS_EMAIL_PORT"] = String(SMTPTestServer.freePort())
        environment["ACCOUNTS_EMAIL_USE_TLS"] = "true"
        XCTAssertEqual(try accounts("register", "hong", "hong@example.com").status, 69)
        let table = try accounts("outbox")
        XCTAssertEqual(table.status, 0)
        XCTAssertTrue(table.stdoutLines[0].hasPrefix("ID"), table.stdout)
        XCTAssertTrue(table.stdoutLines[1].contains("failed-temporary"), table.stdout)
        let csv = try accounts("outbox", "list", "--format", "csv")
        XCTAssertEqual(csv.stdoutLines[0], "id,account_id,user_id,recipient,state,attempts,last_code,last_reply,created_at,updated_at,next_attempt_at,sent_at,kind")
        assertFails(try accounts("outbox", "list", "--state", "lost"), 64, "--state 'lost' is not one of queued")
    }

    private func logActions() throws -> [String] {
        try jsonArray(try accounts("log", "--format", "json").stdout).map { entry in
            let action = entry["action"] as? String ?? ""
            return action == "send-activation" ? "\(action) \(entry["outcome"] as? String ?? "")" : action
        }
    }
}
