@testable import AccountsCore
import XCTest

/// `send-activation`: only an account never activated gets a link, at most once a cooldown per
/// address, and a failed send gives the cooldown back.
final class SendActivationWorkflowTests: WorkflowTestCase {
    func send(_ reference: String, force: Bool = false, at instant: UTCDateTime) throws -> RegisterWorkflow.Outcome {
        try sending.send(to: .either(reference), force: force, at: instant)
    }

    /// The window is the cooldown after the last mail: refused inside it, sent after it, and a
    /// later mail starts the window again.
    func testTheCooldownRefusesInsideTheWindowAndSendsAfterIt() throws {
        try register("hong")
        for early in [1, 30, cooldown - 1] {
            let refusal = assertRefused(.temporary, try send("hong", at: t0.adding(seconds: early)), "\(early) s after the first mail")
            XCTAssertTrue(refusal?.message.hasSuffix("try again in \(cooldown - early) s") == true, "what is left: \(String(describing: refusal))")
            XCTAssertEqual(refusal?.hint, .forceSkipsCooldown)
        }
        XCTAssertEqual(mailer.sent.count, 1, "nothing sent inside the window")
        let later = t0.adding(seconds: cooldown + 1)
        XCTAssertEqual(try send("hong", at: later).deliveredTo, "recorded:hong@example.com")
        XCTAssertEqual(mailer.sent.count, 2)
        XCTAssertEqual(try store.user(matching: .either("hong"))?.activationSentAt, later, "the window restarts")
        assertRefused(.temporary, try send("hong", at: later.adding(seconds: 1)), "the second mail starts a new cooldown")
        XCTAssertEqual(try send("hong", force: true, at: later.adding(seconds: 1)).user.userID, "hong", "--force skips it")
        XCTAssertEqual(mailer.sent.count, 3)
        XCTAssertNotEqual(mailer.link(1), mailer.link(0), "each mail a fresh link")
    }

    func testAnActiveOrDeactivatedAccountGetsNoLink() throws {
        let hong = try register("hong").user
        XCTAssertTrue(try store.activate(hong, at: t0, detail: "test"))
        assertRefused(.badData, try send("hong", force: true, at: t0.adding(seconds: 3600)))
        let active = try XCTUnwrap(try store.user(id: hong.id))
        var deactivated = active
        deactivated.isActive = false
        XCTAssertNotNil(try store.update(active, to: deactivated, action: .deactivate, detail: "test", at: t0))
        assertRefused(.badData, try send("hong", force: true, at: t0.adding(seconds: 7200)), "a link must not reactivate it")
        assertRefused(.noSuchUser, try send("nobody", at: t0))
        XCTAssertEqual(mailer.sent.count, 1, "only register's mail")
    }

    /// An account that logged in through the Django site and was switched off there (a row
    /// accounts never touched: no activated_at) is not mailed, not activated by a link, not purged.
    func testAnAccountThatLoggedInOnTheSiteIsNeverTreatedAsNew() throws {
        let hong = try register("hong", send: false)
        _ = try sqlite3(store.path, "UPDATE users SET last_login = '2026-11-18 12:00:00.000000' WHERE id = \(hong.user.id)")
        assertRefused(.badData, try send("hong", force: true, at: t0.adding(seconds: 600)))
        let link = try links.issue(for: try XCTUnwrap(try store.user(id: hong.user.id)), at: t0.adding(seconds: 600)).link
        assertRefused(.badData, try activation.activate(link, at: t0.adding(seconds: 601)))
        XCTAssertEqual(try PurgeWorkflow(store: store, window: tokens.window).purge(at: t0.adding(seconds: 100 * timeout)), 0)
        XCTAssertEqual(mailer.sent.count, 0)
    }

    /// A mail that failed does not hold up the next: the cooldown goes back to what it was.
    func testAFailedSendGivesTheCooldownBack() throws {
        try register("hong", send: false)
        mailer.failures = [RecordingMailBackend.permanent]
        assertRefused(.unavailable, try send("hong", at: t0))
        XCTAssertNil(try store.user(matching: .either("hong"))?.activationSentAt)
        XCTAssertEqual(try send("hong", at: t0.adding(seconds: 1)).deliveredTo, "recorded:hong@example.com", "no cooldown from the failure")
    }

    /// A mail waiting in the outbox is sent rather than a second one queued.
    func testAWaitingMailIsSentInsteadOfASecond() throws {
        mailer.failures = [RecordingMailBackend.temporary]
        _ = try? register("hong")
        XCTAssertEqual(try outbox().map(\.state), [.failedTemporary])
        _ = try send("hong", at: t0.adding(seconds: 5))
        XCTAssertEqual(try outbox().map(\.state), [.sent], "the same row, sent")
    }

    /// The cooldown protects a recipient: a corrected address gets its link at once.
    func testACorrectedAddressGetsItsLinkAtOnce() throws {
        try register("hong", "hong@exampel.com")
        let change = try AccountAdministration(store: store, links: links, mail: mail, cooldown: cooldown)
            .update(.either("hong"), AccountAdministration.Update(email: "hong@example.com"), at: t0.adding(seconds: 5))
        XCTAssertEqual(change.after.email, "hong@example.com")
        XCTAssertEqual(mailer.sent.map(\.to), ["hong@exampel.com", "hong@example.com"])
        assertRefused(.temporary, try send("hong", at: t0.adding(seconds: 10)), "the new address is cooling down now")
    }
}
