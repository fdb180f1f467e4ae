import Foundation
import XCTest

final class ListCLITests: CLITestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        let url = try initAndRegister("active1", "a1@example.com")
        XCTAssertEqual(try accounts("activate", url).status, 0)
        try initAndRegister("pending1", "p1@example.com")
        try initAndRegister("expired1", "e1@example.com", extra: ["--department", "a,\"quoted\" dept"])
        try sql("UPDATE users SET date_joined = '2020-01-01 00:00:00', activation_sent_at = NULL WHERE user_id = 'expired1'")
    }

    func testJSONHasEveryAccountAndNoPasswords() throws {
        let result = try accounts("list", "--format", "json")
        XCTAssertEqual(result.status, 0)
        let rows = try jsonArray(result.stdout)
        XCTAssertEqual(rows.map { $0["user_id"] as? String }, ["active1", "pending1", "expired1"])
        XCTAssertEqual(rows.map { $0["state"] as? String }, ["active", "pending", "expired"])
        XCTAssertEqual(rows[2]["date_joined"] as? String, "2020-01-01T00:00:00.000000Z")
        XCTAssertTrue(rows.allSatisfy { $0["password"] == nil })
        XCTAssertFalse(result.stdout.contains("pbkdf2") || result.stdout.contains("\"!"))
    }

    func testStatesFilter() throws {
        for (state, expected) in [("active", ["active1"]), ("pending", ["pending1"]), ("expired", ["expired1"]), ("inactive", [])] {
            let rows = try jsonArray(try accounts("list", "--state", state, "--format", "json").stdout)
            XCTAssertEqual(rows.compactMap { $0["user_id"] as? String }, expected, state)
        }
        assertFails(try accounts("list", "--state", "deleted"), 64, "deleted")
    }

    func testCSVIsQuotedAndHasAHeader() throws {
        let result = try accounts("list", "--format", "csv")
        let lines = result.stdoutLines
        XCTAssertEqual(lines.first, "id,user_id,email,state,is_active,level,department,date_joined,last_login,activation_sent_at,activated_at")
        XCTAssertEqual(lines.count, 4)
        XCTAssertTrue(lines[3].contains(",\"a,\"\"quoted\"\" dept\","), lines[3])
    }

    func testTableForPeopleAndLimit() throws {
        let table = try accounts("list")
        XCTAssertEqual(table.stdoutLines.count, 4)
        XCTAssertTrue(table.stdoutLines[0].hasPrefix("ID"))
        XCTAssertTrue(table.stdoutLines[1].contains("active1"))
        XCTAssertEqual(try accounts("list", "--limit", "1", "--format", "csv").stdoutLines.count, 2)
        assertFails(try accounts("list", "--limit", "0"), 64, "--limit must be at least 1")
    }

    func testEmptyJSONIsAnEmptyArray() throws {
        let result = try accounts("list", "--state", "inactive", "--format", "json")
        XCTAssertEqual(try jsonArray(result.stdout).count, 0)
    }

    func testMissingDatabaseIsNotSilentlyEmpty() throws {
        assertFails(try accounts("list", "--database", "typo.sqlite3"), 66, "no database at typo.sqlite3")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/typo.sqlite3"))
        assertFails(try accounts(["list"], env: ["ACCOUNTS_DATABASE": "other.sqlite3"]), 66, "other.sqlite3")
    }
}
