@testable import AccountsCore
import XCTest

/// `outbox retry` and serve's "send me a new link".
final class OutboxAndLinkRequestWorkflowTests: WorkflowTestCase {
    var retrying: OutboxWorkflow { OutboxWorkflow(store: store, flows: [ActivationMailFlow(links: links, mail: mail)]) }

    func testARetrySendsWhatIsDueAndAbandonsWhatNoLongerFits() throws {
        mailer.failures = [RecordingMailBackend.temporary, RecordingMailBackend.temporary]
        _ = try? register("hong")
        let kim = try? register("kim")
        XCTAssertNil(kim)
        let kimUser = try XCTUnwrap(try store.user(matching: .either("kim")))
        XCTAssertTrue(try store.activate(kimUser, at: t0, detail: "elsewhere"), "kim was activated another way meanwhile")
        let summary = try retrying.retry(at: t0.adding(seconds: 86_400), includingNotYetDue: true)
        XCTAssertEqual(summary.sent, 1)
        XCTAssertEqual(summary.abandoned, 1, "an active account's mail is not sent")
        XCTAssertEqual(mailer.sent.map(\.to), ["hong@example.com"])
        XCTAssertEqual(try outbox().map(\.state), [.sent, .failedPermanent])
        XCTAssertEqual(try retrying.retry(at: t0.adding(seconds: 86_400), includingNotYetDue: true).total, 0, "nothing is sent twice")
    }

    /// A row of a kind no flow here sends (written by a newer version) is left as it is, for
    /// the version that sends it: not sent, not abandoned.
    func testAMailOfAKindWithoutAFlowIsLeftAlone() throws {
        let newer = MailKind(rawValue: "from-a-newer-version")
        let hong = try register("hong", send: false)
        let kim = try register("kim", send: false)
        XCTAssertTrue(try store.activate(kim.user, at: t0, detail: "elsewhere"))
        // Neither is judged by the activation flow's rules: one would be sent, the other dropped.
        let foreign = [try store.enqueueMail(newer, for: hong.user, at: t0),
                       try store.enqueueMail(newer, for: try XCTUnwrap(try store.user(id: kim.user.id)), at: t0)]
        let summary = try retrying.retry(at: t0.adding(seconds: 60), includingNotYetDue: true)
        XCTAssertEqual(summary.notTaken, 2)
        XCTAssertEqual(summary.sent + summary.abandoned, 0)
        XCTAssertEqual(mailer.sent.count, 0)
        for entry in foreign { XCTAssertEqual(try store.outboxEntry(id: entry.id), entry, "untouched") }
    }

    /// A queued mail is looked at again when it goes out: the Django site may have activated the
    /// account or changed its address meanwhile. Each is abandoned with its own reason (what
    /// `outbox list` shows), and nothing goes to the old address; a change of case is no change.
    func testAQueuedMailIsAbandonedForTheReasonThatAppliesNow() throws {
        for name in ["hong", "kim", "lee"] { try register(name, send: false) }
        for name in ["hong", "kim", "lee"] {
            _ = try store.enqueueMail(.activation, for: try XCTUnwrap(try store.user(matching: .either(name))), at: t0)
        }
        XCTAssertTrue(try store.activate(try XCTUnwrap(try store.user(matching: .either("kim"))), at: t0, detail: "on the site"))
        _ = try sqlite3(store.path, "UPDATE users SET email = 'hong.new@example.com' WHERE user_id = 'hong'; UPDATE users SET email = 'LEE@example.com' WHERE user_id = 'lee'")
        let summary = try retrying.retry(at: t0.adding(seconds: 1), includingNotYetDue: true)
        XCTAssertEqual(summary.sent, 1)
        XCTAssertEqual(summary.abandoned, 2)
        XCTAssertEqual(mailer.sent.map(\.to), ["LEE@example.com"], "never the old address, never an active account")
        let rows = try outbox()
        XCTAssertEqual(rows.map(\.state), [.failedPermanent, .failedPermanent, .sent])
        XCTAssertEqual(rows[0].lastReply, "the account's email changed to hong.new@example.com; send-activation mails the new address")
        XCTAssertEqual(rows[1].lastReply, "the account is already active")
    }

    func testARetryStopsAtTheFirstNotNow() throws {
        for name in ["a", "b", "c"] { try register(name, send: false) }
        for name in ["a", "b", "c"] {
            _ = try store.enqueueMail(.activation, for: try XCTUnwrap(try store.user(matching: .either(name))), at: t0)
        }
        mailer.failures = [RecordingMailBackend.temporary]
        let summary = try retrying.retry(at: t0)
        XCTAssertEqual(summary.failures.count, 1)
        XCTAssertEqual(summary.notTried, 2, "the rest waits for the next run")
        XCTAssertEqual(mailer.sent.count, 0)
        XCTAssertEqual(summary.error?.kind, .temporary)
    }

    func testANewLinkIsOfferedOnlyForTheLatestExpiredLinkAndAFewTimes() throws {
        let request = LinkRequestWorkflow(store: store, tokens: tokens, cooldown: cooldown, limit: 2)
        let hong = try register("hong")
        XCTAssertEqual(try request.request(hong.link.link, at: t0.adding(seconds: 10)), .notExpired, "a good link needs no new one")
        var instant = hong.link.expiresAt
        guard case .queued(_, let first) = try request.request(hong.link.link, at: instant) else { return XCTFail("no mail queued") }
        XCTAssertEqual(try outbox().last?.id, first)
        XCTAssertEqual(mailer.sent.count, 1, "queued only: serve's dispatcher sends it")
        // The claim restarted the window: the old link is no longer the latest, and asks nothing more.
        if case .notTheLatestLink = try request.request(hong.link.link, at: instant.adding(seconds: 2 * cooldown)) {} else { XCTFail("an old link asked again") }
        XCTAssertEqual(try outbox().count, 2, "one mail queued, not a second")
        // Send it, as the dispatcher would.
        let entry = try XCTUnwrap(try store.outboxEntry(id: first))
        _ = try MailDelivery(store: store, links: links, mail: mail).deliver(entry, to: try XCTUnwrap(try store.user(id: hong.user.id)), at: instant)
        let second = try XCTUnwrap(mailer.link())
        instant = instant.adding(seconds: timeout + 10)
        if case .queued = try request.request(second, at: instant) {} else { XCTFail("the second request") }
        let third = try XCTUnwrap(try store.outboxEntry(id: try XCTUnwrap(try outbox().last?.id)))
        _ = try MailDelivery(store: store, links: links, mail: mail).deliver(third, to: try XCTUnwrap(try store.user(id: hong.user.id)), at: instant)
        instant = instant.adding(seconds: timeout + 10)
        if case .overTheLimit = try request.request(try XCTUnwrap(mailer.link()), at: instant) {} else { XCTFail("over the limit of 2") }
        XCTAssertEqual(try audit().filter { $0.hasPrefix("request-activation") }.count, 2)
    }
}
