@testable import AccountsCore
import Foundation
import XCTest

/// A mail backend that keeps what it is given, or fails as told: the workflows' tests read the
/// messages (and the links in them) instead of an SMTP server.
final class RecordingMailBackend: MailBackend {
    private(set) var sent: [MailMessage] = []
    /// The next sends fail with these, in order; then sends succeed again.
    var failures: [MailFailure] = []

    func send(_ message: MailMessage) throws(MailFailure) -> MailReceipt {
        if !failures.isEmpty { throw failures.removeFirst() }
        sent.append(message)
        return MailReceipt(destination: "recorded:\(message.to)", replyCode: 250, replyText: "queued")
    }

    /// The activation link in the text part of message `index`.
    func link(_ index: Int = -1) -> ActivationLink? {
        guard !sent.isEmpty else { return nil }
        let message = sent[index < 0 ? sent.count + index : index]
        let url = message.textBody.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("https://") }
        return url.flatMap { ActivationLink(pasted: String($0)) }
    }

    static let temporary = MailFailure(AccountsError(.temporary, "421 try later"), permanent: false, replyCode: 421)
    static let permanent = MailFailure(AccountsError(.unavailable, "550 no such mailbox"), permanent: true, replyCode: 550)
}

/// A workflow against a fresh SQLite store in a temporary directory, a recording mailer and a
/// fixed clock (`t0`, the contract's "now"): a rule's test runs in milliseconds, and what it
/// checks is rows, the outbox and the audit log, not a process's output.
class WorkflowTestCase: XCTestCase {
    var store: SQLiteStore!
    var mailer: RecordingMailBackend!
    let cooldown: Int64 = 60
    let timeout: Int64 = 3 * 86_400
    var tokens: TokenGenerator!
    var links: ActivationLinks!
    var mail: ActivationMail!

    override func setUpWithError() throws {
        store = try SQLiteStore(path: try temporaryDirectory(self) + "/db.sqlite3", create: true, actor: "tester")
        mailer = RecordingMailBackend()
        tokens = TokenGenerator(secretKey: "workflow-tests-secret-key-0123456789-abcdefghijklmnop", timeout: timeout,
                                timeZone: TimeZone(identifier: "Asia/Seoul")!)
        links = ActivationLinks(tokens: tokens, template: try LinkTemplate("https://www.example.com/users/activate/{uid}/{token}/"))
        mail = ActivationMail(templates: try MailTemplates(.activation, directory: nil), backend: mailer,
                              fromEmail: "Example <no-reply@example.com>", timeZone: TimeZone(identifier: "Asia/Seoul")!)
    }

    var registration: RegisterWorkflow { RegisterWorkflow(store: store, links: links, mail: mail, hasher: PasswordHasher(iterations: 1_000)) }
    var sending: SendActivationWorkflow { SendActivationWorkflow(store: store, links: links, mail: mail, cooldown: cooldown) }
    var activation: ActivateWorkflow { ActivateWorkflow(store: store, tokens: tokens) }

    @discardableResult
    func register(_ userID: String, _ email: String? = nil, password: String? = nil, level: String? = nil,
                  department: String? = nil, send: Bool = true, at instant: UTCDateTime = t0) throws -> RegisterWorkflow.Outcome {
        try registration.register(RegisterWorkflow.Request(userID: userID, email: email ?? "\(userID)@example.com", password: password,
                                                           level: level, department: department, sendMail: send), at: instant)
    }

    /// "action user_id outcome", oldest first.
    func audit() throws -> [String] {
        var entries: [AuditEntry] = []
        try store.forEachAuditEntry(AuditQuery()) { entries.append($0) }
        return entries.sorted { $0.id < $1.id }.map { "\($0.action.rawValue) \($0.userID ?? "-") \($0.outcome.rawValue)" }
    }

    func outbox() throws -> [OutboxEntry] {
        var entries: [OutboxEntry] = []
        try store.forEachOutboxEntry(state: nil, limit: nil) { entries.append($0) }
        return entries.sorted { $0.id < $1.id }
    }

    func users() throws -> [User] {
        var all: [User] = []
        try store.forEachUser(state: nil, expiryCutoff: t0, limit: nil) { all.append($0) }
        return all
    }

    /// Asserts that `body` throws an AccountsError of `kind`, and returns it.
    @discardableResult
    func assertRefused<T>(_ kind: AccountsError.Kind, _ body: @autoclosure () throws -> T, _ message: String = "",
                          file: StaticString = #filePath, line: UInt = #line) -> AccountsError? {
        var refusal: AccountsError?
        XCTAssertThrowsError(try body(), message, file: file, line: line) { error in
            refusal = error as? AccountsError
            XCTAssertEqual(refusal?.kind, kind, "\(error)", file: file, line: line)
        }
        return refusal
    }
}
