@testable import AccountsCore
import Foundation
import XCTest

final class TemplatesTests: XCTestCase {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testTheBuiltInCopyIsTheTemplatesOnDisk() throws {
        for name in MailTemplates.fileNames(.activation) {
            let onDisk = try String(contentsOf: root.appendingPathComponent("Sources/AccountsCore/Mail/Templates/\(name)"), encoding: .utf8)
            XCTAssertEqual(MailTemplates.builtIn[name], onDisk, name)
        }
    }

    func testHTMLIsEscapedAndTextIsNot() throws {
        let rendered = try MailTemplates(.activation, directory: nil).render([
            "user_id": "<b>kim&lee</b>", "email": "\"x\"@example.com", "activation_url": "https://e.com/a/MQ/t/?a=1&b=2",
            "uid": "MQ", "token": "t", "expires_at": "2026-11-24 13:04 (UTC)",
        ])
        XCTAssertEqual(rendered.subject, "<b>kim&lee</b>님의 회원가입 인증메일 입니다.\n")
        XCTAssertTrue(rendered.text.contains("<b>kim&lee</b>님"))
        XCTAssertTrue(rendered.text.contains("https://e.com/a/MQ/t/?a=1&b=2"))
        XCTAssertTrue(rendered.html.contains("&lt;b&gt;kim&amp;lee&lt;/b&gt;님"))
        XCTAssertFalse(rendered.html.contains("<b>kim"))
        XCTAssertTrue(rendered.html.contains("href=\"https://e.com/a/MQ/t/?a=1&amp;b=2\""))
    }

    func testDirectoryOverridesAndMissingFilesAreConfigurationErrors() throws {
        let dir = try temporaryDirectory(self)
        XCTAssertThrowsError(try MailTemplates(.activation, directory: dir)) { error in
            XCTAssertEqual((error as? AccountsError)?.kind, .configuration)
        }
        for name in MailTemplates.fileNames(.activation) {
            try "[\(name)] {{user_id}}".write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        }
        let rendered = try MailTemplates(.activation, directory: dir).render(["user_id": "a&b"])
        XCTAssertEqual(rendered.subject, "[activation_subject.txt] a&b")
        XCTAssertEqual(rendered.html, "[activation_email.html] a&amp;b")
    }
}
