@testable import AccountsCore
import XCTest

/// `purge-expired` (and its --dry-run) and `restore`: the preview and the purge agree, what goes
/// is kept, and restore brings it back under its id with a fresh link.
final class PurgeAndRestoreWorkflowTests: WorkflowTestCase {
    var purging: PurgeWorkflow { PurgeWorkflow(store: store, window: tokens.window) }
    var restoring: RestoreWorkflow { RestoreWorkflow(store: store, links: links, mail: mail) }

    func preview(at instant: UTCDateTime) throws -> [String] {
        var names: [String] = []
        _ = try purging.preview(at: instant) { names.append($0.userID) }
        return names
    }

    /// An account is purged exactly when its link has expired: at the link's expiry, not a
    /// second before; the preview says so at the same instants; activated accounts never.
    func testThePreviewAndThePurgeAgreeWithTheLinksExpiry() throws {
        let stale = try register("stale")
        let active = try register("active")
        _ = try activation.activate(active.link.link, at: t0)
        let expiry = stale.link.expiresAt
        XCTAssertEqual(try preview(at: expiry.adding(seconds: -1)), [], "the link still works")
        XCTAssertEqual(try purging.purge(at: expiry.adding(seconds: -1)), 0)
        XCTAssertEqual(try preview(at: expiry), ["stale"])
        XCTAssertEqual(try store.user(id: stale.user.id)?.userID, "stale", "a preview deletes nothing")
        XCTAssertEqual(try purging.purge(at: expiry), 1)
        XCTAssertNil(try store.user(id: stale.user.id))
        XCTAssertNotNil(try store.user(id: active.user.id))
        XCTAssertEqual(try purging.purge(at: expiry.adding(seconds: 86_400 * 365)), 0, "an account once active is never purged")
    }

    /// A resend restarts the window: purge counts from the last mail, not from sign-up.
    func testAResendPostponesThePurge() throws {
        let hong = try register("hong")
        let resentAt = t0.adding(seconds: timeout / 2)
        _ = try sending.send(to: .either("hong"), force: false, at: resentAt)
        XCTAssertEqual(try purging.purge(at: hong.link.expiresAt), 0)
        XCTAssertEqual(try purging.purge(at: resentAt.adding(seconds: timeout + 1)), 1)
    }

    func testRestoreBringsThePurgedAccountBackUnderItsIdWithAFreshLink() throws {
        let hong = try register("hong", password: "pw")
        XCTAssertEqual(try purging.purge(at: hong.link.expiresAt), 1)
        let later = hong.link.expiresAt.adding(seconds: 60)
        let restored = try restoring.restore(.either("hong"), at: later)
        XCTAssertEqual(restored.user.id, hong.user.id)
        XCTAssertEqual(restored.user.password, hong.user.password, "the row as it was")
        XCTAssertEqual(mailer.sent.count, 2)
        XCTAssertTrue(try activation.activate(restored.link.link, at: later.adding(seconds: 1)).user.isActive, "the fresh link works")
        assertRefused(.badData, try restoring.restore(.either("hong"), at: later), "it exists: nothing to restore")
        assertRefused(.noSuchUser, try restoring.restore(.either("nobody"), at: later))
        XCTAssertEqual(try audit(), ["register hong ok", "send-activation hong ok", "purge hong ok", "restore hong ok",
                                     "send-activation hong ok", "activate hong ok"])
    }
}
