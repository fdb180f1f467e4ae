import AccountsCore
import Dispatch
import Foundation
import Synchronization
import XCTest

/// The guarantees `AccountStore` documents, as checks written against the protocol alone. A store
/// passes when a test case of its own conforms (saying how to open one, and how another program
/// would change a row) and runs every check of `contractChecks` (ContractChecks.swift):
/// `SQLiteStoreContractTests` and `PostgresStoreContractTests` run the same list.
protocol AccountStoreContract: XCTestCase {
    /// Makes `openStore` open a new, empty database from now on (each check starts on one).
    func useFreshDatabase() throws
    /// A store on a fresh, empty database; later calls open the same database again (another
    /// process, for races). Changes made through it are audited as `actor`.
    func openStore(actor: String) throws -> AccountStore
    /// Sets is_active as another program (a Django admin) would, outside the store.
    func setActiveOutsideTheStore(id: Int64, _ active: Bool) throws
    /// Sets last_login as a login through a Django site would.
    func setLastLoginOutsideTheStore(id: Int64, at instant: UTCDateTime) throws
}

/// A fixed "now" for the checks, with microseconds, which every store must keep.
let t0 = UTCDateTime(epochSeconds: 1_795_000_000, microseconds: 123_456)
let longAgo = UTCDateTime(epochSeconds: 1_795_000_000 - 1_000_000)

/// What the activation flow has the store record when its mail goes (`ActivationMailFlow.record`).
let activationRecord = MailRecord(action: .sendActivation, stampsActivationSentAt: true)

func newUser(_ userID: String, _ email: String? = nil, joined: UTCDateTime = t0) -> NewUser {
    NewUser(userID: userID, email: email ?? "\(userID)@example.com", password: "!x", level: "2",
            department: "컴퓨터공학부", dateJoined: joined)
}

extension AccountStoreContract {
    /// An activation mail to `user` that the server accepted at `instant`, through the outbox.
    func mailed(_ store: AccountStore, _ user: User, at instant: UTCDateTime) throws {
        let taken = try XCTUnwrap(try store.beginSending(try store.enqueueMail(.activation, for: user, at: instant), at: instant))
        try store.finishSending(taken, for: user, at: instant, receipt: MailReceipt(destination: user.email), record: activationRecord)
    }

    func auditTrail(_ store: AccountStore, _ query: AuditQuery = AuditQuery()) throws -> [String] {
        var entries: [String] = []
        try store.forEachAuditEntry(query) { entries.append("\($0.action.rawValue) \($0.userID ?? "-") \($0.outcome.rawValue)") }
        return entries
    }

    func userIDs(_ store: AccountStore, _ state: AccountState?, cutoff: UTCDateTime = t0.adding(seconds: -10), limit: Int? = nil) throws -> [String] {
        var result: [String] = []
        try store.forEachUser(state: state, expiryCutoff: cutoff, limit: limit) { result.append($0.userID) }
        return result
    }

    /// Runs `body` on `count` threads at once (they start together) and returns what each did.
    func race<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T) -> [Result<T, Error>] {
        let results = Mutex<[Int: Result<T, Error>]>([:])
        let start = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        for index in 0..<count {
            done.enter()
            Thread {
                start.wait()
                let result = Result { try body(index) }
                results.withLock { $0[index] = result }
                done.leave()
            }.start()
        }
        for _ in 0..<count { start.signal() }
        done.wait()
        return results.withLock { results in (0..<count).map { results[$0]! } }
    }

    // MARK: - Accounts

    func checkInsertReadsBackExactly() throws {
        let store = try openStore(actor: "tester")
        let user = try store.insert(newUser("hong"))
        XCTAssertEqual(try store.user(id: user.id), user)
        XCTAssertEqual(try store.user(matching: .either("hong")), user)
        XCTAssertEqual(try store.user(matching: .either("HONG@EXAMPLE.COM")), user, "email lookup ignores case")
        XCTAssertNil(try store.user(matching: .either("nobody")))
        XCTAssertEqual(user.dateJoined, t0, "microseconds survive the round trip")
        XCTAssertFalse(user.isActive)
        XCTAssertEqual(try store.users(withUserIDs: ["hong", "nobody"], orEmails: ["HONG@example.com"]).map(\.userID), ["hong"])
    }

    func checkDuplicatesAreNamed() throws {
        let store = try openStore(actor: "tester")
        _ = try store.insert(newUser("hong"))
        XCTAssertThrowsError(try store.insert(newUser("hong", "other@example.com"))) { error in
            XCTAssertEqual(error as? AccountsError, AccountsError(.badData, "user_id 'hong' is already registered"))
        }
        XCTAssertThrowsError(try store.insert(newUser("kim", "Hong@Example.com"))) { error in
            XCTAssertEqual((error as? AccountsError)?.kind, .badData)
            XCTAssertTrue("\(error)".contains("email 'Hong@Example.com' is already registered (to user_id 'hong')"), "\(error)")
        }
        XCTAssertEqual(try auditTrail(store), ["register hong ok"], "a refused insert leaves no entry")
    }

    /// Eight stores (processes) insert one user_id at once, then one email in eight spellings:
    /// exactly one wins each time, and the others are told which field clashed.
    func checkDuplicatesAreNamedUnderARace() throws {
        _ = try openStore(actor: "tester")
        let stores = try (0..<8).map { _ in try openStore(actor: "tester") }
        let sameUserID = race(8) { try stores[$0].insert(newUser("race", "race\($0)@example.com")) }
        XCTAssertEqual(sameUserID.filter { (try? $0.get()) != nil }.count, 1)
        for case .failure(let error) in sameUserID {
            XCTAssertEqual((error as? AccountsError)?.kind, .badData, "\(error)")
            XCTAssertTrue("\(error)".contains("user_id 'race'"), "\(error)")
        }
        let sameEmail = race(8) { try stores[$0].insert(newUser("mail\($0)", $0 % 2 == 0 ? "Same@example.com" : "same@EXAMPLE.com")) }
        XCTAssertEqual(sameEmail.filter { (try? $0.get()) != nil }.count, 1)
        for case .failure(let error) in sameEmail {
            XCTAssertTrue("\(error)".contains("is already registered"), "\(error)")
        }
    }

    func checkRegisterAllIsAllOrNothing() throws {
        let store = try openStore(actor: "tester")
        _ = try store.insert(newUser("taken"))
        XCTAssertThrowsError(try store.registerAll({ insert in
            try insert(newUser("a"))
            try insert(newUser("taken", "x@example.com"))
        }, mailing: [], ifStill: { _ in true }, queueMail: true, at: t0))
        XCTAssertNil(try store.user(matching: .either("a")), "nothing of a failed batch stays")
        var mails = 0
        try store.forEachOutboxEntry(state: nil, limit: nil) { _ in mails += 1 }
        XCTAssertEqual(mails, 0)

        let earlier = try store.insert(newUser("earlier"))
        let (created, queued) = try store.registerAll({ insert in
            try insert(newUser("b"))
            try insert(newUser("c"))
        }, mailing: [earlier.id], ifStill: { $0.activationSentAt == nil }, queueMail: true, at: t0)
        XCTAssertEqual(created, 2)
        XCTAssertEqual(queued.count, 3, "the new accounts and the earlier one still eligible")
        let again = try store.registerAll({ _ in }, mailing: [earlier.id], ifStill: { $0.activationSentAt == nil }, queueMail: true, at: t0)
        XCTAssertEqual(again.mails, [queued.last!], "its mail still waiting is given, not a second one")
        let notEligible = try store.registerAll({ _ in }, mailing: [earlier.id], ifStill: { _ in false }, queueMail: true, at: t0)
        XCTAssertEqual(notEligible.mails, [])
    }

    /// ids are never reused, so an old link can never reach a newer account.
    func checkIDsAreNeverReused() throws {
        let store = try openStore(actor: "tester")
        _ = try store.insert(newUser("a"))
        let b = try store.insert(newUser("b", joined: longAgo))
        XCTAssertEqual(try store.purgeExpired(cutoff: t0, at: t0), 1)
        XCTAssertNil(try store.user(id: b.id))
        XCTAssertGreaterThan(try store.insert(newUser("c")).id, b.id)
    }

    // MARK: - Activation

    func checkActivationIsSingleUseAndConditional() throws {
        let store = try openStore(actor: "tester")
        let user = try store.insert(newUser("hong"))
        var changed = user
        changed.password = "something else"
        XCTAssertFalse(try store.activate(changed, at: t0, detail: "test"), "the row differs from what the token was checked against")
        XCTAssertTrue(try store.activate(user, at: t0, detail: "link signed with SECRET_KEY"))
        XCTAssertFalse(try store.activate(user, at: t0, detail: "test"), "a second activation of the same link fails")
        let active = try XCTUnwrap(try store.user(id: user.id))
        XCTAssertTrue(active.isActive)
        XCTAssertEqual(active.lastLogin, t0)
        XCTAssertEqual(active.activatedAt, t0)
        XCTAssertEqual(try auditTrail(store), ["register hong ok", "activate hong ok"], "no change, no entry")
    }

    /// Twenty activations of one link at once, from twenty stores: exactly one succeeds.
    func checkActivationIsSingleUseUnderARace() throws {
        let user = try openStore(actor: "tester").insert(newUser("hong"))
        let stores = try (0..<20).map { _ in try openStore(actor: "tester") }
        let results = race(20) { try stores[$0].activate(user, at: t0, detail: "race") }
        XCTAssertEqual(results.filter { (try? $0.get()) == true }.count, 1, "\(results)")
        XCTAssertEqual(try auditTrail(stores[0], AuditQuery(action: .activate)).count, 1)
    }

    /// Deactivated after having been active, also by another program: never activated again by a
    /// link, never "never activated".
    func checkAnAccountActiveOnceIsNeverNeverActivated() throws {
        let store = try openStore(actor: "tester")
        let once = try store.insert(newUser("once"))
        XCTAssertTrue(try store.activate(once, at: t0, detail: "test"))
        try setActiveOutsideTheStore(id: once.id, false)
        let elsewhere = try store.insert(newUser("elsewhere", joined: longAgo))
        try setActiveOutsideTheStore(id: elsewhere.id, true)
        try setActiveOutsideTheStore(id: elsewhere.id, false)
        let recorded = try XCTUnwrap(try store.user(id: elsewhere.id))
        XCTAssertNotNil(recorded.activatedAt, "the database records the activation, whoever made it")
        XCTAssertFalse(ActivationWindow.isNeverActivated(recorded))
        var deactivated = try XCTUnwrap(try store.user(id: once.id))
        deactivated.lastLogin = nil // a token made before: the check must still refuse
        XCTAssertFalse(try store.activate(deactivated, at: t0, detail: "test"))
        XCTAssertEqual(try userIDs(store, .inactive), ["once", "elsewhere"])
        XCTAssertEqual(try store.purgeExpired(cutoff: t0, at: t0), 0)
        guard case .refused = try store.claimActivationMail(id: elsewhere.id, ifStill: ActivationWindow.isNeverActivated, at: t0, notSentSince: nil) else {
            return XCTFail("no link for an account that was active once")
        }
    }

    func checkStatesOrderAndLimit() throws {
        let store = try openStore(actor: "tester")
        _ = try store.insert(newUser("p1"))
        _ = try store.insert(newUser("e1", joined: longAgo))
        let a = try store.insert(newUser("a1"))
        XCTAssertTrue(try store.activate(a, at: t0, detail: "test"))
        let loggedIn = try store.insert(newUser("l1", joined: longAgo))
        try setLastLoginOutsideTheStore(id: loggedIn.id, at: t0)
        XCTAssertEqual(try userIDs(store, nil), ["p1", "e1", "a1", "l1"])
        XCTAssertEqual(try userIDs(store, .pending), ["p1"])
        XCTAssertEqual(try userIDs(store, .expired), ["e1"])
        XCTAssertEqual(try userIDs(store, .active), ["a1"])
        XCTAssertEqual(try userIDs(store, .inactive), ["l1"], "logged in through the site: a real user")
        XCTAssertEqual(try userIDs(store, nil, limit: 2), ["p1", "e1"])
    }

    // MARK: - The activation mail

    func checkMailClaimHonoursTheCooldownAndCanBeReleased() throws {
        let store = try openStore(actor: "tester")
        let user = try store.insert(newUser("hong"))
        // Whether the account may have a mail is the workflow's rule, asked inside the claim.
        var asked: User?
        guard case .refused = try store.claimActivationMail(id: user.id, ifStill: { asked = $0; return false }, at: t0, notSentSince: nil) else {
            return XCTFail("the rule said no")
        }
        XCTAssertEqual(asked, user, "the rule is asked about the account as read in the claim")
        XCTAssertNil(try store.user(id: user.id)?.activationSentAt, "a refused claim claims nothing")
        XCTAssertNil(try store.pendingMail(.activation, for: user, inFlightSince: t0), "and queues nothing")
        guard case .claimed(nil, let queued) = try store.claimActivationMail(id: user.id, ifStill: ActivationWindow.isNeverActivated, at: t0, notSentSince: t0.adding(seconds: -60)) else {
            return XCTFail("the first mail is claimed")
        }
        XCTAssertEqual(queued.state, .queued, "and queued in the outbox in the same transaction")
        XCTAssertEqual(try store.pendingMail(.activation, for: user, inFlightSince: t0), queued)
        guard case .refused = try store.claimActivationMail(id: user.id, ifStill: ActivationWindow.isNeverActivated, at: t0.adding(seconds: 30), notSentSince: t0.adding(seconds: -30)) else {
            return XCTFail("a second mail within the cooldown must be refused")
        }
        try store.releaseActivationMail(id: user.id, claimedAt: t0.adding(seconds: 1), previous: nil)
        XCTAssertEqual(try store.user(id: user.id)?.activationSentAt, t0, "not released when something newer happened")
        try store.releaseActivationMail(id: user.id, claimedAt: t0, previous: nil)
        XCTAssertNil(try store.user(id: user.id)?.activationSentAt)
    }

    /// A visitor may ask for a new link `limit` times, each audited in the claim's transaction;
    /// then the store says over the limit, changes nothing, and the operator's claims still pass.
    func checkAVisitorsRequestsStopAtTheLimit() throws {
        let store = try openStore(actor: "tester")
        let user = try store.insert(newUser("hong"))
        let request = LinkRequestRecord(limit: 2, detail: "from 192.0.2.1")
        for second in [0, 1] {
            guard case .claimed = try store.claimActivationMail(id: user.id, ifStill: ActivationWindow.isNeverActivated, at: t0.adding(seconds: Int64(second)), notSentSince: nil, request: request) else {
                return XCTFail("request \(second + 1) of 2 is claimed")
            }
        }
        guard case .overLimit = try store.claimActivationMail(id: user.id, ifStill: ActivationWindow.isNeverActivated, at: t0.adding(seconds: 2), notSentSince: nil, request: request) else {
            return XCTFail("the third request is over the limit")
        }
        XCTAssertEqual(try store.user(id: user.id)?.activationSentAt, t0.adding(seconds: 1), "a refused request changes nothing")
        var requests = 0
        try store.forEachAuditEntry(AuditQuery()) { if $0.action == .requestActivation { requests += 1 } }
        XCTAssertEqual(requests, 2)
        guard case .claimed = try store.claimActivationMail(id: user.id, ifStill: ActivationWindow.isNeverActivated, at: t0.adding(seconds: 3), notSentSince: nil) else {
            return XCTFail("the operator has no request limit")
        }
    }

    /// The cooldown protects a recipient: after the email changed, the new address may get its
    /// mail at once; the address mailed within the cooldown may not, for `--pending` either.
    func checkTheCooldownCountsPerAddress() throws {
        let store = try openStore(actor: "tester")
        let user = try store.insert(newUser("hong"))
        guard case .claimed = try store.claimActivationMail(id: user.id, ifStill: ActivationWindow.isNeverActivated, at: t0, notSentSince: t0.adding(seconds: -60)) else {
            return XCTFail("the first mail is claimed")
        }
        var moved = try XCTUnwrap(try store.user(id: user.id))
        moved.email = "hong.new@example.com"
        let updated = try XCTUnwrap(try store.update(try XCTUnwrap(try store.user(id: user.id)), to: moved, action: .update, detail: "email", at: t0))
        XCTAssertEqual(try store.claimPendingMails(notSentSince: t0.adding(seconds: -50), at: t0.adding(seconds: 10)).map(\.accountID), [user.id],
                       "--pending: the new address was not mailed")
        guard case .refused = try store.claimActivationMail(id: user.id, ifStill: ActivationWindow.isNeverActivated, at: t0.adding(seconds: 20), notSentSince: t0.adding(seconds: -40)) else {
            return XCTFail("the new address was mailed 10 s ago")
        }
        var back = try XCTUnwrap(try store.user(id: user.id))
        back.email = user.email
        XCTAssertNotNil(try store.update(try XCTUnwrap(try store.user(id: updated.id)), to: back, action: .update, detail: "email", at: t0))
        guard case .refused = try store.claimActivationMail(id: user.id, ifStill: ActivationWindow.isNeverActivated, at: t0.adding(seconds: 30), notSentSince: t0.adding(seconds: -30)) else {
            return XCTFail("the first address was mailed 30 s ago")
        }
        XCTAssertEqual(try store.claimPendingMails(notSentSince: t0.adding(seconds: -30), at: t0.adding(seconds: 30)), [])
        guard case .claimed = try store.claimActivationMail(id: user.id, ifStill: ActivationWindow.isNeverActivated, at: t0.adding(seconds: 61), notSentSince: t0.adding(seconds: 1)) else {
            return XCTFail("the cooldown of the first address is over")
        }
    }

    /// Two runs of `send-activation --pending` at once never claim one account twice.
    func checkPendingClaimsNeverOverlap() throws {
        let store = try openStore(actor: "tester")
        for index in 0..<30 { _ = try store.insert(newUser("u\(index)")) }
        let active = try store.insert(newUser("active"))
        XCTAssertTrue(try store.activate(active, at: t0, detail: "test"))
        let stores = try (0..<4).map { _ in try openStore(actor: "tester") }
        let claims = race(4) { try stores[$0].claimPendingMails(notSentSince: t0, at: t0.adding(seconds: 1)) }
        let all = claims.flatMap { (try? $0.get()) ?? [] }
        XCTAssertEqual(all.count, 30, "every never-activated account, and no other")
        XCTAssertEqual(Set(all.map(\.accountID)).count, 30, "none twice")
        XCTAssertEqual(try store.claimPendingMails(notSentSince: t0, at: t0.adding(seconds: 2)), [], "all within their cooldown now")
    }

    func checkAnOutboxRowIsTakenOnceAndRecordsItsFate() throws {
        let store = try openStore(actor: "tester")
        let user = try store.insert(newUser("hong"))
        let entry = try store.enqueueMail(.activation, for: user, at: t0)
        XCTAssertEqual(try store.outboxEntry(id: entry.id), entry)
        let taken = try XCTUnwrap(try store.beginSending(entry, at: t0))
        XCTAssertEqual(taken.state, .sending)
        XCTAssertEqual(taken.attempts, 1)
        XCTAssertNil(try store.beginSending(entry, at: t0), "a row being sent cannot be taken again")
        XCTAssertEqual(try store.dueMail(at: t0.adding(seconds: 3600), includingNotYetDue: true), [], "nor is it due")

        let failure = MailFailure(AccountsError(.temporary, "451 4.3.0 try later"), replyCode: 451)
        let next = OutboxEntry.afterFailure(failure, attempts: taken.attempts, at: t0)
        try store.failSending(taken, for: user, at: t0, failure: failure, state: next.state, nextAttemptAt: next.nextAttemptAt, record: activationRecord)
        XCTAssertEqual(try store.dueMail(at: t0.adding(seconds: 59), includingNotYetDue: false), [], "due after a minute")
        XCTAssertEqual(try store.mailNotYetDue(at: t0.adding(seconds: 59)).count, 1)
        XCTAssertEqual(try store.mailNotYetDue(at: t0.adding(seconds: 59)).next, t0.adding(seconds: 60))
        let due = try store.dueMail(at: t0.adding(seconds: 60), includingNotYetDue: false)
        XCTAssertEqual(due.map(\.state), [.failedTemporary])
        XCTAssertEqual(due.first?.lastCode, 451)
        XCTAssertEqual(due.first?.lastReply, "451 4.3.0 try later")

        let again = try XCTUnwrap(try store.beginSending(due[0], at: t0.adding(seconds: 60)))
        XCTAssertEqual(again.attempts, 2)
        try store.finishSending(again, for: user, at: t0.adding(seconds: 61), receipt: MailReceipt(destination: "x", replyCode: 250, replyText: "2.0.0 Ok"), record: activationRecord)
        var rows: [OutboxEntry] = []
        try store.forEachOutboxEntry(state: nil, limit: nil) { rows.append($0) }
        XCTAssertEqual(rows.map(\.state), [.sent])
        XCTAssertEqual(rows.first?.sentAt, t0.adding(seconds: 61))
        XCTAssertEqual(rows.first?.userID, "hong")
        XCTAssertEqual(try store.user(id: user.id)?.activationSentAt, t0.adding(seconds: 61))
        XCTAssertNil(try store.beginSending(again, at: t0.adding(seconds: 62)), "a sent row is never taken again")
        XCTAssertNil(try store.pendingMail(.activation, for: user, inFlightSince: t0))

        // A row left in sending: in flight for a while, then taken to be interrupted.
        let stuck = try XCTUnwrap(try store.beginSending(try store.enqueueMail(.activation, for: user, at: t0), at: t0))
        XCTAssertEqual(try store.pendingMail(.activation, for: user, inFlightSince: t0.adding(seconds: -900))?.id, stuck.id)
        XCTAssertNil(try store.pendingMail(.activation, for: user, inFlightSince: t0.adding(seconds: 1)))

        let refused = try XCTUnwrap(try store.beginSending(try store.enqueueMail(.activation, for: user, at: t0), at: t0))
        let permanent = MailFailure(AccountsError(.badData, "550 no such user"), permanent: true, replyCode: 550)
        let end = OutboxEntry.afterFailure(permanent, attempts: refused.attempts, at: t0)
        try store.failSending(refused, for: user, at: t0, failure: permanent, state: end.state, nextAttemptAt: end.nextAttemptAt, record: activationRecord)
        XCTAssertEqual(try store.dueMail(at: t0.adding(seconds: 100_000), includingNotYetDue: true), [], "permanent failures are not retried")

        let dropped = try store.enqueueMail(.activation, for: user, at: t0)
        try store.abandonMail(dropped, at: t0, reason: "the account is already active")
        XCTAssertEqual(try store.outboxEntry(id: dropped.id)?.state, .failedPermanent)
        let waiting = try store.enqueueMail(.activation, for: user, at: t0)
        try store.deferMail([waiting.id, rows[0].id], until: t0.adding(seconds: 300))
        XCTAssertEqual(try store.outboxEntry(id: waiting.id)?.nextAttemptAt, t0.adding(seconds: 300), "a queued mail waits")
        XCTAssertEqual(try store.outboxEntry(id: rows[0].id)?.state, .sent, "a sent one is left alone")
        var newest: [Int64] = []
        try store.forEachOutboxEntry(state: nil, limit: 2) { newest.append($0.id) }
        XCTAssertEqual(newest, [dropped.id, waiting.id], "the newest, oldest first")
    }

    /// Rows of different kinds to one account are kept apart: each keeps its kind through reads
    /// and the export, a look-up for one kind never returns another's, the activation claim
    /// reuses only a waiting activation mail, and a mail's record stamps activation_sent_at only
    /// when its flow says so. (The store stores kinds; which kinds exist is the flows' business.)
    func checkMailKindsAreKeptApart() throws {
        let store = try openStore(actor: "tester")
        let user = try store.insert(newUser("kinds"))
        let other = MailKind(rawValue: "another-kind")
        let activation = try store.enqueueMail(.activation, for: user, at: t0)
        let another = try store.enqueueMail(other, for: user, at: t0.adding(seconds: 1))
        XCTAssertEqual(activation.kind, .activation)
        XCTAssertEqual(try store.outboxEntry(id: another.id), another)
        XCTAssertEqual(try store.outboxEntry(id: another.id)?.kind, other)
        XCTAssertEqual(try store.pendingMail(.activation, for: user, inFlightSince: t0)?.id, activation.id,
                       "the newer mail of another kind is not the activation mail")
        XCTAssertEqual(try store.pendingMail(other, for: user, inFlightSince: t0)?.id, another.id)
        var exported: [MailKind] = []
        try store.exportAll { if case .outbox(let entry) = $0 { exported.append(entry.kind) } }
        XCTAssertEqual(exported, [.activation, other])
        XCTAssertEqual(try store.claimPendingMails(notSentSince: nil, at: t0.adding(seconds: 2)).map(\.mailID), [activation.id],
                       "the waiting activation mail is reused, not the other kind's")

        let taken = try XCTUnwrap(try store.beginSending(another, at: t0.adding(seconds: 3)))
        let unstamped = MailRecord(action: .sendActivation, stampsActivationSentAt: false)
        try store.finishSending(taken, for: user, at: t0.adding(seconds: 3), receipt: MailReceipt(destination: user.email), record: unstamped)
        XCTAssertEqual(try store.user(id: user.id)?.activationSentAt, t0.adding(seconds: 2), "only the claim stamped it")
        let mailed = try XCTUnwrap(try store.beginSending(activation, at: t0.adding(seconds: 4)))
        try store.finishSending(mailed, for: user, at: t0.adding(seconds: 4), receipt: MailReceipt(destination: user.email), record: activationRecord)
        XCTAssertEqual(try store.user(id: user.id)?.activationSentAt, t0.adding(seconds: 4))
    }

    /// Three workers take the due mail at once: every row is taken by exactly one.
    func checkNoRowIsTakenTwiceUnderARace() throws {
        let store = try openStore(actor: "tester")
        var entries: [OutboxEntry] = []
        for index in 0..<20 {
            entries.append(try store.enqueueMail(.activation, for: try store.insert(newUser("u\(index)")), at: t0))
        }
        let stores = try (0..<3).map { _ in try openStore(actor: "tester") }
        let queued = entries
        let taken = race(3) { worker in try queued.compactMap { try stores[worker].beginSending($0, at: t0)?.id } }
        let all = taken.flatMap { (try? $0.get()) ?? [] }
        XCTAssertEqual(all.count, 20)
        XCTAssertEqual(Set(all).count, 20)
    }

    // MARK: - Purge and restore

    func checkPurgeArchivesExactlyTheExpiredNeverActivatedAccounts() throws {
        let store = try openStore(actor: "tester")
        let stale = try store.insert(newUser("stale", joined: longAgo))
        let fresh = try store.insert(newUser("fresh", joined: t0))
        let remailed = try store.insert(newUser("remailed", joined: longAgo))
        try mailed(store, remailed, at: t0)
        let active = try store.insert(newUser("active", joined: longAgo))
        XCTAssertTrue(try store.activate(active, at: longAgo, detail: "test"))
        let loggedIn = try store.insert(newUser("loggedin", joined: longAgo))
        try setLastLoginOutsideTheStore(id: loggedIn.id, at: longAgo)

        let cutoff = t0.adding(seconds: -10)
        XCTAssertEqual(try userIDs(store, .expired, cutoff: cutoff), ["stale"])
        XCTAssertEqual(try store.purgeExpired(cutoff: cutoff, at: t0), 1)
        XCTAssertNil(try store.user(id: stale.id))
        for survivor in [fresh, remailed, active, loggedIn] { XCTAssertNotNil(try store.user(id: survivor.id)) }
        XCTAssertEqual(try store.purgeExpired(cutoff: cutoff, at: t0), 0)
        // The archive keeps it whole: restore brings the same row back.
        XCTAssertEqual(try store.restore("stale", at: t0).password, stale.password)
    }

    /// "Expired" is one definition: an account whose window starts exactly at the cut-off is
    /// pending for list, the preview and the purge alike (ActivationWindow.state), and one a
    /// second earlier is expired for all three; a window started by a mail counts as sign-up does.
    func checkExpiredIsOneDefinitionAtTheCutoff() throws {
        let store = try openStore(actor: "tester")
        let cutoff = t0.adding(seconds: -3600)
        let before = try store.insert(newUser("before", joined: cutoff.adding(seconds: -1)))
        let at = try store.insert(newUser("at", joined: cutoff))
        let after = try store.insert(newUser("after", joined: cutoff.adding(seconds: 1)))
        let mailedAt = try store.insert(newUser("mailedat", joined: longAgo))
        try mailed(store, mailedAt, at: cutoff)
        let mailedBefore = try store.insert(newUser("mailedbefore", joined: longAgo))
        try mailed(store, mailedBefore, at: UTCDateTime(epochSeconds: cutoff.epochSeconds, microseconds: cutoff.microseconds - 1))
        let model = try [before, at, after, mailedAt, mailedBefore].map { try XCTUnwrap(try store.user(id: $0.id)) }
        let expected = model.filter { ActivationWindow.state(of: $0, cutoff: cutoff) == .expired }.map(\.userID)
        XCTAssertEqual(expected, ["before", "mailedbefore"], "the model: a second (or a microsecond) before the cut-off")
        XCTAssertEqual(try userIDs(store, .expired, cutoff: cutoff).sorted(), expected.sorted(), "list --state expired, the preview")
        XCTAssertEqual(try userIDs(store, .pending, cutoff: cutoff).sorted(), ["after", "at", "mailedat"], "list --state pending")
        XCTAssertEqual(try store.statistics(since: nil, expiryCutoff: cutoff).accounts[.expired], 2, "stats")
        XCTAssertEqual(try store.purgeExpired(cutoff: cutoff, at: t0), 2, "the purge takes what the preview showed")
        XCTAssertEqual(try userIDs(store, nil).sorted(), ["after", "at", "mailedat"])
    }

    func checkRestorePutsTheLatestArchivedCopyBack() throws {
        let store = try openStore(actor: "tester")
        let hong = try store.insert(newUser("hong", joined: longAgo))
        XCTAssertEqual(try store.purgeExpired(cutoff: t0, at: t0), 1)
        XCTAssertThrowsError(try store.restore("nobody", at: t0)) { XCTAssertEqual(($0 as? AccountsError)?.kind, .noSuchUser) }

        let later = t0.adding(seconds: 60)
        let restored = try store.restore("HONG@example.com", at: later)
        XCTAssertEqual(restored.id, hong.id, "its old id")
        XCTAssertEqual(restored.password, hong.password)
        XCTAssertEqual(restored.activationSentAt, later, "the window restarts")
        XCTAssertEqual(try store.user(id: hong.id), restored)
        XCTAssertEqual(try store.purgeExpired(cutoff: later.adding(seconds: -10), at: later), 0, "not purged again at once")
        XCTAssertThrowsError(try store.restore("hong", at: later)) { error in
            XCTAssertEqual((error as? AccountsError)?.kind, .badData)
            XCTAssertTrue("\(error)".contains("is not purged"), "\(error)")
        }

        // Purged again, and the user_id taken by someone else meanwhile: refused, nothing changes.
        XCTAssertEqual(try store.purgeExpired(cutoff: later.adding(seconds: 1), at: later.adding(seconds: 2)), 1)
        _ = try store.insert(newUser("hong", "new-hong@example.com"))
        XCTAssertThrowsError(try store.restore("hong@example.com", at: later)) { error in
            XCTAssertEqual((error as? AccountsError)?.kind, .badData)
            XCTAssertTrue("\(error)".contains("account 'hong' now has its user_id or email"), "\(error)")
        }
        XCTAssertEqual(try auditTrail(store).map { $0.split(separator: " ")[0] }, ["register", "purge", "restore", "purge", "register"])
    }

    // MARK: - The audit log

    /// Every change is an entry, written in the change's transaction; reads and refusals are not.
    func checkEveryChangeIsAudited() throws {
        let store = try openStore(actor: "tester")
        let hong = try store.insert(newUser("hong", joined: longAgo))
        try mailed(store, hong, at: longAgo)
        let kim = try store.insert(newUser("kim", "Kim@Example.com"))
        XCTAssertTrue(try store.activate(kim, at: t0, detail: "link signed with SECRET_KEY"))
        XCTAssertFalse(try store.activate(kim, at: t0, detail: "again"), "no change, no entry")
        let kimMail = try XCTUnwrap(try store.beginSending(try store.enqueueMail(.activation, for: kim, at: t0), at: t0))
        let failure = MailFailure(AccountsError(.temporary, "451 try later"))
        try store.failSending(kimMail, for: kim, at: t0, failure: failure, state: .failedTemporary, nextAttemptAt: t0.adding(seconds: 60), record: activationRecord)
        XCTAssertEqual(try store.purgeExpired(cutoff: t0, at: t0), 1)
        XCTAssertThrowsError(try store.insert(newUser("kim", "other@example.com")), "a refused insert leaves no entry")

        var entries: [AuditEntry] = []
        try store.forEachAuditEntry(AuditQuery()) { entries.append($0) }
        XCTAssertEqual(entries.map { "\($0.action.rawValue) \($0.userID ?? "-") \($0.outcome.rawValue)" }, [
            "register hong ok", "send-activation hong ok", "register kim ok", "activate kim ok",
            "send-activation kim failed", "purge hong ok",
        ])
        XCTAssertEqual(Set(entries.map(\.osUser)), ["tester"])
        XCTAssertEqual(entries[0].detail, AuditDetail.registered(email: "hong@example.com"))
        XCTAssertEqual(entries[3].detail, "link signed with SECRET_KEY")
        XCTAssertEqual(entries[4].detail, "451 try later")
        XCTAssertEqual(entries[5].accountID, hong.id)
        XCTAssertEqual(entries[5].at, t0)
        XCTAssertEqual(entries[5].detail, AuditDetail.purgedAccount(windowStart: longAgo))

        func ids(_ query: AuditQuery) throws -> [String] {
            var result: [String] = []
            try store.forEachAuditEntry(query) { result.append("\($0.action.rawValue):\($0.userID ?? "-")") }
            return result
        }
        func account(_ reference: String) throws -> AuditQuery {
            AuditQuery(accountIDs: [try AuditQuery.accountID(of: .either(reference), in: store)])
        }
        XCTAssertEqual(try ids(try account("KIM@example.com")), ["register:kim", "activate:kim", "send-activation:kim"], "by email, ignoring case")
        XCTAssertEqual(try ids(try account("hong@example.com")), ["register:hong", "send-activation:hong", "purge:hong"],
                       "by the email of a purged account")
        XCTAssertEqual(try ids(AuditQuery(userIDText: "kim")), ["register:kim", "activate:kim", "send-activation:kim"], "by recorded text")
        XCTAssertEqual(try ids(AuditQuery(since: t0)), ["register:kim", "activate:kim", "send-activation:kim", "purge:hong"])
        XCTAssertEqual(try ids(AuditQuery(action: .register)), ["register:hong", "register:kim"])
        XCTAssertEqual(try ids(AuditQuery(limit: 2)), ["send-activation:kim", "purge:hong"], "the newest, oldest first")
        XCTAssertThrowsError(try account("nobody")) { XCTAssertEqual(($0 as? AccountsError)?.kind, .noSuchUser) }
        XCTAssertEqual(try ids(AuditQuery(accountIDs: [])), [])
    }

    /// A purge is one entry per account it removed, sharing the purge's id.
    func checkAPurgeIsLoggedPerAccount() throws {
        let store = try openStore(actor: "tester")
        for name in ["a", "b", "c"] { _ = try store.insert(newUser(name, joined: longAgo)) }
        XCTAssertEqual(try store.purgeExpired(cutoff: t0, at: t0), 3)
        var entries: [AuditEntry] = []
        try store.forEachAuditEntry(AuditQuery(action: .purge)) { entries.append($0) }
        XCTAssertEqual(entries.map(\.userID), ["a", "b", "c"])
        XCTAssertEqual(Set(entries.map(\.id)).count, 1)
    }
}
