@testable import AccountsCore
import XCTest

/// `update`, `set-password`, `deactivate`, `reactivate`, `delete`: validated as register,
/// conditional, audited, and what each does to outstanding links.
final class AccountAdministrationTests: WorkflowTestCase {
    var administration: AccountAdministration { AccountAdministration(store: store, links: links, mail: mail, cooldown: cooldown) }

    func testAnUpdateIsValidatedAsRegisterAndRefusedInputChangesNothing() throws {
        let hong = try register("hong").user
        try register("kim")
        for update in [AccountAdministration.Update(userID: "bad id"), AccountAdministration.Update(email: "nope"),
                       AccountAdministration.Update(userID: "kim"), AccountAdministration.Update(email: "KIM@example.com"),
                       AccountAdministration.Update(department: String(repeating: "x", count: 151)),
                       AccountAdministration.Update(level: "a\u{0}b")] {
            assertRefused(.badData, try administration.update(.either("hong"), update, at: t0), "\(update)")
        }
        XCTAssertEqual(try store.user(id: hong.id), hong)
        XCTAssertEqual(try audit().filter { $0.hasPrefix("update") }, [])
    }

    /// A pending account's email change ends its old links and mails a fresh one to the new
    /// address; a level change leaves the link alone.
    func testAnEmailChangeEndsThePendingLinksAndMailsAFreshOne() throws {
        let hong = try register("hong")
        _ = try administration.update(.either("hong"), AccountAdministration.Update(level: "3"), at: t0.adding(seconds: 1))
        if case .success = try activation.verdict(hong.link.link, at: t0.adding(seconds: 2)) {} else { XCTFail("a level change ended the link") }
        _ = try administration.update(.either("hong"), AccountAdministration.Update(email: "gildong@example.com"), at: t0.adding(seconds: 3))
        assertRefused(.badData, try activation.activate(hong.link.link, at: t0.adding(seconds: 4)), "the old link is dead")
        XCTAssertEqual(mailer.sent.last?.to, "gildong@example.com")
        let fresh = try XCTUnwrap(mailer.link())
        XCTAssertTrue(try activation.activate(fresh, at: t0.adding(seconds: 5)).user.isActive)
    }

    func testSetPasswordHashesOrMakesUnusableAndEndsTheLinks() throws {
        let hong = try register("hong")
        let hasher = PasswordHasher(iterations: 1_000)
        let set = try administration.setPassword(.either("hong"), to: "s3cret", hasher: hasher, at: t0)
        XCTAssertTrue(hasher.verify("s3cret", against: set.after.password))
        assertRefused(.badData, try activation.activate(hong.link.link, at: t0))
        let unusable = try administration.setPassword(.either("hong"), to: nil, at: t0)
        XCTAssertFalse(PasswordHasher.isUsable(unusable.after.password))
        assertRefused(.badData, try administration.setPassword(.either("hong"), to: "", at: t0))
        assertRefused(.badData, try administration.setPassword(.either("hong"), to: String(repeating: "x", count: 4097), at: t0))
        XCTAssertEqual(try audit().filter { $0.hasPrefix("set-password") }.count, 2)
    }

    func testDeactivateAndReactivateAreTheAdministratorsSwitch() throws {
        let hong = try register("hong")
        assertRefused(.badData, try administration.setActive(.either("hong"), false, at: t0), "never activated: nothing to switch off")
        _ = try activation.activate(hong.link.link, at: t0)
        assertRefused(.badData, try administration.setActive(.either("hong"), true, at: t0), "already active")
        XCTAssertFalse(try administration.setActive(.either("hong"), false, at: t0.adding(seconds: 1)).after.isActive)
        let off = try XCTUnwrap(try store.user(id: hong.user.id))
        XCTAssertFalse(ActivationWindow.isNeverActivated(off), "deactivated is not never-activated: never purged, never mailed")
        XCTAssertEqual(try PurgeWorkflow(store: store, window: tokens.window).purge(at: t0.adding(seconds: 10 * timeout)), 0)
        XCTAssertTrue(try administration.setActive(.either("hong"), true, at: t0.adding(seconds: 2)).after.isActive)
    }

    /// A change made by someone else between read and write is reported, never overwritten.
    func testAChangeMadeMeanwhileIsNotOverwritten() throws {
        let hong = try register("hong").user
        var renamed = hong
        renamed.email = "moved@example.com"
        XCTAssertNotNil(try store.update(hong, to: renamed, action: .update, detail: "elsewhere", at: t0))
        assertRefused(.temporary, try administration.delete(hong, at: t0), "delete of the row as it was read")
        XCTAssertEqual(try store.user(id: hong.id)?.email, "moved@example.com")
        try administration.delete(try XCTUnwrap(try store.user(id: hong.id)), at: t0)
        XCTAssertNil(try store.user(id: hong.id))
        XCTAssertEqual(try store.archivedUsers(matching: .either("hong")).count, 1, "archived, as a purge archives")
    }
}
