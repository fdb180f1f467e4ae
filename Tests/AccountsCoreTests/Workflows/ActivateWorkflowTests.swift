@testable import AccountsCore
import XCTest

/// `activate` and `inspect`: a good link activates once; every other link is refused with its
/// reason and changes nothing.
final class ActivateWorkflowTests: WorkflowTestCase {
    func testAGoodLinkActivatesOnceAndIsUsedUp() throws {
        let outcome = try register("hong")
        let activated = try activation.activate(outcome.link.link, at: t0.adding(seconds: 60))
        XCTAssertEqual(activated.keyIndex, 0)
        let hong = try XCTUnwrap(try store.user(id: outcome.user.id))
        XCTAssertTrue(hong.isActive)
        XCTAssertEqual(hong.activatedAt, t0.adding(seconds: 60))
        XCTAssertEqual(hong.lastLogin, t0.adding(seconds: 60), "as Django's view logs the user in, which uses the link up")
        assertRefused(.badData, try activation.activate(outcome.link.link, at: t0.adding(seconds: 61)), "already active")
        if case .failure(.alreadyActive) = try activation.verdict(outcome.link.link, at: t0.adding(seconds: 61)) {} else {
            XCTFail("the second use is refused as already active")
        }
        XCTAssertEqual(try audit(), ["register hong ok", "send-activation hong ok", "activate hong ok"])
    }

    /// A link dated beyond our clock's skew allowance was made by someone holding the key with a
    /// wrong clock (or forging): refused, and the account stays as it was.
    func testALinkFromTheFutureIsRefusedAndChangesNothing() throws {
        let hong = try register("hong", send: false).user
        let future = try links.issue(for: hong, at: t0.adding(seconds: ActivationWindow.clockSkewAllowance + 60)).link
        if case .failure(.fromTheFuture) = try activation.verdict(future, at: t0) {} else { XCTFail("not refused as from the future") }
        assertRefused(.badData, try activation.activate(future, at: t0))
        XCTAssertEqual(try store.user(id: hong.id), hong)
        let withinSkew = try links.issue(for: hong, at: t0.adding(seconds: ActivationWindow.clockSkewAllowance - 5)).link
        XCTAssertTrue(try activation.activate(withinSkew, at: t0).user.isActive, "a clock a little ahead is an honest clock")
    }

    func testAnExpiredLinkIsRefusedAtTheTimeoutAndGoodUpToIt() throws {
        let outcome = try register("hong")
        let expiry = outcome.link.expiresAt
        if case .failure(.expired) = try activation.verdict(outcome.link.link, at: expiry) {} else { XCTFail("good at its expiry") }
        if case .success = try activation.verdict(outcome.link.link, at: expiry.adding(seconds: -1)) {} else { XCTFail("refused before its expiry") }
        assertRefused(.badData, try activation.activate(outcome.link.link, at: expiry))
        XCTAssertFalse(try XCTUnwrap(try store.user(id: outcome.user.id)).isActive)
    }

    /// The link is bound to the account it was made for, and to its email and password as they
    /// were: a change to either ends it.
    func testALinkIsBoundToItsAccountAndItsFields() throws {
        let hong = try register("hong", send: false)
        let kim = try register("kim", send: false)
        let crossed = ActivationLink(uid: kim.link.link.uid, token: hong.link.link.token)
        if case .failure(.tokenDoesNotMatch) = try activation.verdict(crossed, at: t0) {} else { XCTFail("hong's token works for kim") }
        _ = try AccountAdministration(store: store).setPassword(.either("hong"), to: "new password", hasher: PasswordHasher(iterations: 1_000), at: t0)
        assertRefused(.badData, try activation.activate(hong.link.link, at: t0), "a new password ends the link")
        assertRefused(.noSuchUser, try activation.activate(ActivationLink(uid: UIDCodec.encode(999), token: hong.link.link.token), at: t0))
        assertRefused(.badData, try activation.activate(ActivationLink(uid: "MTIzA", token: hong.link.link.token), at: t0))
        assertRefused(.badData, try activation.activate(ActivationLink(uid: kim.link.link.uid, token: "not-a-token"), at: t0))
        XCTAssertEqual(try users().filter(\.isActive).count, 0)
    }

    /// An account switched off by an administrator is never switched on by a link, even one
    /// made before: that is `reactivate`'s to do.
    func testADeactivatedAccountIsNotReactivatedByALink() throws {
        let outcome = try register("hong", send: false)
        let hong = outcome.user
        XCTAssertTrue(try store.activate(hong, at: t0, detail: "test"))
        _ = try AccountAdministration(store: store).setActive(.either("hong"), false, at: t0.adding(seconds: 1))
        let fresh = try links.issue(for: try XCTUnwrap(try store.user(id: hong.id)), at: t0.adding(seconds: 2)).link
        if case .failure(.deactivated) = try activation.verdict(fresh, at: t0.adding(seconds: 3)) {} else { XCTFail("a deactivated account takes a link") }
        XCTAssertFalse(try XCTUnwrap(try store.user(id: hong.id)).isActive)
    }

    func testInspectingChangesNothing() throws {
        let outcome = try register("hong")
        let before = try store.user(id: outcome.user.id)
        let inspection = try activation.examine(outcome.link.link, at: t0.adding(seconds: 5))
        XCTAssertNil(inspection.refusal)
        XCTAssertEqual(inspection.keyIndex, 0)
        XCTAssertEqual(inspection.expiresAt, outcome.link.expiresAt)
        XCTAssertEqual(try store.user(id: outcome.user.id), before)
        XCTAssertEqual(try audit().count, 2)
    }
}
