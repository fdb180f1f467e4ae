import Foundation
import XCTest

/// `accounts inspect`: what a link is for and what activate would do, changing nothing.
final class InspectCLITests: CLITestCase {
    func inspectJSON(_ arguments: [String], env: [String: String] = [:]) throws -> (Int32, [String: Any], String) {
        let result = try accounts(["inspect", "--format", "json"] + arguments, env: env)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stdout)
        return (result.status, object, result.stderr)
    }

    func testAPendingLinkWouldBeAcceptedAndNothingChanges() throws {
        let url = try initAndRegister()
        let before = try dump()
        let text = try accounts("inspect", url)
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertEqual(text.stdoutLines.first, "account   hong <hong@example.com>, id 1, pending")
        XCTAssertEqual(text.stdoutLines.last, "activate  would accept this link")
        XCTAssertTrue(text.stdout.contains("signed by SECRET_KEY\n"))
        let (status, object, _) = try inspectJSON([url])
        XCTAssertEqual(status, 0)
        XCTAssertEqual(object["user_id"] as? String, "hong")
        XCTAssertEqual(object["would_activate"] as? Bool, true)
        XCTAssertEqual(object["key"] as? String, "SECRET_KEY")
        // Issued now, and good for PASSWORD_RESET_TIMEOUT (3 days) plus the second Django allows.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let issued = try XCTUnwrap(formatter.date(from: object["issued_at"] as? String ?? ""))
        let expires = try XCTUnwrap(formatter.date(from: object["expires_at"] as? String ?? ""))
        XCTAssertLessThan(abs(issued.timeIntervalSinceNow), 60)
        XCTAssertEqual(expires.timeIntervalSince(issued), 259_201)
        XCTAssertEqual(try dump(), before, "inspect changes nothing")
        XCTAssertEqual(try accounts("activate", url).status, 0, "and the link still works")
    }

    func testRefusalsGiveActivatesExitCodesAndSayWhy() throws {
        let url = try initAndRegister()
        XCTAssertEqual(try accounts("activate", url).status, 0)
        let (used, usedObject, usedError) = try inspectJSON([url])
        XCTAssertEqual(used, 65)
        XCTAssertEqual(usedError, "accounts: account 'hong' is already active\n")
        XCTAssertEqual(usedObject["would_activate"] as? Bool, false)
        XCTAssertEqual(usedObject["key"] as? String, "SECRET_KEY", "a used link is still recognised as genuine")
        XCTAssertNotNil(usedObject["issued_at"] as? String)

        let token = String(url.split(separator: "/").last!)
        let (missing, missingObject, _) = try inspectJSON(["Mg", token])
        XCTAssertEqual(missing, 67)
        XCTAssertEqual(missingObject["account_id"] as? Int, 2)
        XCTAssertTrue(missingObject["user_id"] is NSNull)

        try initAndRegister("kim", "kim@example.com")
        let (forged, forgedObject, forgedError) = try inspectJSON(["Mg", token])
        XCTAssertEqual(forged, 65)
        XCTAssertTrue(forgedError.contains("the token does not match"), forgedError)
        XCTAssertTrue(forgedObject["key"] is NSNull)
        XCTAssertTrue(forgedObject["issued_at"] is NSNull)

        let bad = try accounts("inspect", "not a link")
        XCTAssertEqual(bad.status, 65)
        XCTAssertEqual(bad.stdout, "")
    }

    func testExpiredAndFallbackKeyLinks() throws {
        let env = ["ACCOUNTS_PASSWORD_RESET_TIMEOUT": "1"]
        let url = try initAndRegister(env: env)
        Thread.sleep(forTimeInterval: 2.5)
        let (expired, expiredObject, expiredError) = try inspectJSON([url], env: env)
        XCTAssertEqual(expired, 65)
        XCTAssertTrue(expiredError.contains("expired at"), expiredError)
        XCTAssertEqual(expiredObject["key"] as? String, "SECRET_KEY")

        // Rotate the key, keeping the old one as a fallback: the link is recognised as signed by it.
        let path = directory + "/secrets.json"
        let old = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])?["SECRET_KEY"])
        try JSONSerialization.data(withJSONObject: ["SECRET_KEY": "rotated", "SECRET_KEY_FALLBACKS": [old]]).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o600)
        let (status, object, _) = try inspectJSON([url])
        XCTAssertEqual(status, 0)
        XCTAssertEqual(object["key"] as? String, "SECRET_KEY_FALLBACKS[0]")
    }
}
