import Foundation
import XCTest

final class ActivateCLITests: CLITestCase {
    func testActivateOnceFromThePastedURL() throws {
        let url = try initAndRegister()
        let result = try accounts("activate", url + "\n")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "", "nothing on stdout a script must strip")
        XCTAssertTrue(result.stderr.contains("activated 'hong'"))
        let row = try XCTUnwrap(try sql("SELECT is_active, last_login = activated_at, last_login > date_joined FROM users").first)
        XCTAssertEqual(row, "1|1|1")
        let before = try dump()
        assertFails(try accounts("activate", url), 65, "already active")
        XCTAssertEqual(try dump(), before)
    }

    func testUIDAndTokenAsTwoArgumentsAndOtherHosts() throws {
        let url = try initAndRegister()
        let parts = url.split(separator: "/")
        let uid = String(parts[parts.count - 2]), token = String(parts[parts.count - 1])
        XCTAssertEqual(try accounts("activate", "--format", "json", uid, token).status, 0)
        XCTAssertEqual(try sql("SELECT is_active FROM users"), ["1"])

        let second = try initAndRegister("kim", "kim@example.com")
        let moved = second.replacingOccurrences(of: "http://localhost:8000/users/activate", with: "https://other.example/x")
        XCTAssertEqual(try accounts("activate", String(moved.dropLast()) + "?utm_source=mail").status, 0)
    }

    func testURLFromStandardInput() throws {
        let url = try initAndRegister()
        let result = try accounts("activate", "-", stdin: url + "\n")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try sql("SELECT is_active FROM users"), ["1"])
    }

    func testEachFailureIsReportedDistinctlyAndChangesNothing() throws {
        let url = try initAndRegister()
        let parts = url.split(separator: "/")
        let token = String(parts[parts.count - 1])
        var tampered = Array(token)
        tampered[tampered.count - 1] = tampered.last == "0" ? "1" : "0"
        let before = try dump()
        let cases: [([String], Int32, String)] = [
            (["activate", "https://example.com/users/activate/"], 65, "invalid activation link"),
            (["activate", "not a link"], 65, "does not end in /<uid>/<token>/"),
            (["activate", "!!", token], 65, "is not a user id"),
            (["activate", "MQ", "nodash"], 65, "is not a token"),
            (["activate", "MQ", String(tampered)], 65, "the token does not match"),
            (["activate", "Mg", token], 67, "user #2, which does not exist"),
            (["activate", "MTIzNDU2Nzg5", token], 67, "does not exist"),
            (["activate"], 64, "give the activation URL"),
            (["activate", "a", "b", "c"], 64, "give the activation URL"),
        ]
        for (arguments, status, message) in cases {
            assertFails(try accounts(arguments), status, message)
            XCTAssertEqual(try dump(), before, "\(arguments) changed the database")
        }
    }

    func testLinkSignedWithAFallbackKeyWorksAndARetiredOneDoesNot() throws {
        let first = try initAndRegister("a", "a@example.com")
        let second = try initAndRegister("b", "b@example.com")
        let oldKey = try XCTUnwrap(try secretsObject()["SECRET_KEY"] as? String)
        // Rotate: a new key, the old one kept as a fallback.
        try writeSecrets(["SECRET_KEY": "brand-new-key-of-fifty-characters-or-more-0123456789", "SECRET_KEY_FALLBACKS": [oldKey]])
        let result = try accounts("activate", first)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("SECRET_KEY_FALLBACKS[0]"), result.stderr)
        // Retire it: links signed with it are now invalid.
        try writeSecrets(["SECRET_KEY": "brand-new-key-of-fifty-characters-or-more-0123456789"])
        assertFails(try accounts("activate", second), 65, "the token does not match")
    }

    func testExpiredLinkSaysHowToGetANewOne() throws {
        let url = try initAndRegister(env: ["ACCOUNTS_PASSWORD_RESET_TIMEOUT": "1"])
        // Token timestamps have whole-second resolution; two full seconds must pass.
        Thread.sleep(forTimeInterval: 3)
        let before = try dump()
        assertFails(try accounts(["activate", url], env: ["ACCOUNTS_PASSWORD_RESET_TIMEOUT": "1"]), 65, "expired at")
        XCTAssertEqual(try dump(), before)
        // A fresh link works.
        let fresh = try accounts(["send-activation", "hong", "--force"], env: ["ACCOUNTS_PASSWORD_RESET_TIMEOUT": "1"])
        XCTAssertEqual(fresh.status, 0, fresh.stderr)
        XCTAssertEqual(try accounts(["activate", fresh.stdout], env: ["ACCOUNTS_PASSWORD_RESET_TIMEOUT": "1"]).status, 0)
    }

    func testAnOlderLinkDiesWhenTheAccountChanges() throws {
        let url = try initAndRegister()
        // A password set through Django (or anything else) changes the hash the token is bound to.
        try sql("UPDATE users SET password = 'pbkdf2_sha256$1000000$x$y'")
        assertFails(try accounts("activate", url), 65, "the token does not match")
    }

    private func secretsObject() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/secrets.json"))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func writeSecrets(_ object: [String: Any]) throws {
        let path = directory + "/secrets.json"
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o600)
    }
}
