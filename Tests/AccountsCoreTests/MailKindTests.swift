@testable import AccountsCore
import Foundation
import XCTest

/// Every kind of mail a flow sends has what the outbox, export and import need of it.
final class MailKindTests: XCTestCase {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A flow registered in `Flows` without its three templates fails here, not at its first mail.
    func testEveryKindAFlowSendsHasItsTemplatesBuiltInAndOnDisk() throws {
        XCTAssertEqual(Set(Flows.mailKinds).count, Flows.mailKinds.count, "each kind belongs to one flow")
        XCTAssertTrue(Flows.mailKinds.contains(.activation))
        for kind in Flows.mailKinds {
            XCTAssertTrue(kind.isWellFormed, "\(kind)")
            XCTAssertNoThrow(try MailTemplates(kind, directory: nil), "\(kind)")
            for name in MailTemplates.fileNames(kind) {
                let onDisk = try String(contentsOf: root.appendingPathComponent("Sources/AccountsCore/Mail/Templates/\(name)"), encoding: .utf8)
                XCTAssertEqual(MailTemplates.builtIn[name], onDisk, name)
            }
        }
        XCTAssertThrowsError(try MailTemplates(MailKind(rawValue: "no-such-flow"), directory: nil)) { error in
            XCTAssertEqual((error as? AccountsError)?.kind, .configuration)
        }
    }

    func testAWellFormedKindIsShortLowercaseAndHyphens() {
        XCTAssertTrue(MailKind(rawValue: "password-reset").isWellFormed)
        for bad in ["", "Activation", "a_b", "a'b", "a b", String(repeating: "a", count: 33)] {
            XCTAssertFalse(MailKind(rawValue: bad).isWellFormed, bad)
        }
    }

    /// Exports made before kinds have no "kind": their mails are activation mails. A kind no
    /// flow sends is refused, naming the row.
    func testAnExportsOutboxRowsKeepTheirKindAndOldOnesAreActivationMails() throws {
        let row = #"{"table":"outbox","id":1,"account_id":1,"recipient":"a@example.com","state":"sent","attempts":1,"last_code":250,"last_reply":"ok","created_at":"2026-11-22T10:00:00.000000Z","updated_at":"2026-11-22T10:00:00.000000Z","next_attempt_at":null,"sent_at":"2026-11-22T10:00:00.000000Z""#
        XCTAssertEqual(try read(row + "}").kind, .activation)
        XCTAssertEqual(try read(row + #","kind":"activation"}"#).kind, .activation)
        let foreign = try read(row + #","kind":"from-a-newer-version"}"#)
        XCTAssertEqual(foreign.kind, MailKind(rawValue: "from-a-newer-version"))
        var validator = TransferValidator()
        XCTAssertThrowsError(try validator.check(.outbox(foreign))) { error in
            XCTAssertEqual((error as? AccountsError)?.kind, .badData)
            XCTAssertEqual((error as? AccountsError)?.message,
                           "outbox row id 1: kind 'from-a-newer-version', not a kind of mail this version sends (activation)")
        }
        XCTAssertThrowsError(try read(row + #","kind":7}"#))
    }

    private func read(_ line: String) throws -> OutboxEntry {
        let path = try temporaryDirectory(self) + "/export.jsonl"
        try (String(decoding: TransferRecord.header, as: UTF8.self) + line + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let descriptor = open(path, O_RDONLY)
        defer { close(descriptor) }
        var entries: [OutboxEntry] = []
        try TransferReader(descriptor: descriptor).forEach { if case .outbox(let entry) = $0 { entries.append(entry) } }
        return try XCTUnwrap(entries.first)
    }
}
