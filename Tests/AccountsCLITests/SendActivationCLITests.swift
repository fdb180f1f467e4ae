import Foundation
import XCTest

final class SendActivationCLITests: CLITestCase {
    func testCooldownThenForce() throws {
        try initAndRegister()
        let before = try dump()
        assertFails(try accounts("send-activation", "hong"), 75, "try again in")
        XCTAssertEqual(try dump(), before)
        XCTAssertEqual(outboxFiles().count, 1)
        let forced = try accounts("send-activation", "HONG@example.com", "--force")
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertTrue(forced.stdout.contains("/users/activate/MQ/"))
        XCTAssertEqual(outboxFiles().count, 2)
    }

    func testCooldownPassesWithTime() throws {
        try initAndRegister(env: ["ACCOUNTS_ACTIVATION_COOLDOWN": "1"])
        Thread.sleep(forTimeInterval: 1.2)
        XCTAssertEqual(try accounts(["send-activation", "hong"], env: ["ACCOUNTS_ACTIVATION_COOLDOWN": "1"]).status, 0)
        XCTAssertEqual(outboxFiles().count, 2)
    }

    func testUnknownAndActiveAccounts() throws {
        let url = try initAndRegister()
        assertFails(try accounts("send-activation", "nobody"), 67, "no account with user_id or email 'nobody'")
        XCTAssertEqual(try accounts("activate", url).status, 0)
        assertFails(try accounts("send-activation", "hong", "--force"), 65, "already active")
        XCTAssertEqual(outboxFiles().count, 1)
    }

    func testFailedMailDoesNotStartTheCooldown() throws {
        try initAndRegister(extra: ["--no-send"])
        try "".write(toFile: directory + "/outbox", atomically: true, encoding: .utf8)
        assertFails(try accounts("send-activation", "hong"), 74, "was not sent")
        XCTAssertEqual(try sql("SELECT activation_sent_at IS NULL FROM users"), ["1"])
    }

    func testPendingMailsEveryAccountOutOfItsCooldownOnce() throws {
        for name in ["a", "b", "c", "d", "e"] {
            try initAndRegister(name, "\(name)@example.com", extra: ["--no-send"])
        }
        let link = try XCTUnwrap(try accounts("send-activation", "e").stdoutLines.first)
        XCTAssertEqual(try accounts("activate", link).status, 0)
        XCTAssertEqual(try accounts("send-activation", "d").status, 0)
        XCTAssertEqual(outboxFiles().count, 2)

        let run = try accounts("send-activation", "--pending", "--format", "json")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, "{\"pending\":3,\"mailed\":3,\"failed\":0,\"sent_by_another_process\":0}\n")
        XCTAssertEqual(outboxFiles().count, 5, "a, b and c; d is in its cooldown and e is active")
        XCTAssertTrue(try accounts("send-activation", "--pending", "--format", "json").stdout.hasPrefix("{\"pending\":0,"), "now all in their cooldown")
        XCTAssertTrue(try accounts("send-activation", "--pending", "--force", "--format", "json").stdout.hasPrefix("{\"pending\":4,"))
        XCTAssertEqual(outboxFiles().count, 9)
        assertFails(try accounts("send-activation", "a", "--pending"), 64, "not both")
        assertFails(try accounts("send-activation"), 64, "or --pending")
    }
}
