import Foundation
import XCTest

/// `import` into an empty PostgreSQL database sets users' own indexes aside while it copies and
/// builds them after (PostgresStore+Transfer): what they guard must still hold, whole or not at all.
final class PostgresTransferCLITests: PostgresCLITestCase {
    /// An export of two accounts in a SQLite file, as lines.
    func sqliteExport() throws -> [String] {
        XCTAssertEqual(try accounts("init", "-q", "--database", "a.sqlite3").status, 0)
        for name in ["hong", "kim"] {
            XCTAssertEqual(try accounts("register", name, "\(name)@example.com", "--no-send", "-q", "--database", "a.sqlite3").status, 0)
        }
        let export = try accounts("export", "--database", "a.sqlite3")
        XCTAssertEqual(export.status, 0, export.stderr)
        return export.stdoutLines
    }

    func testTheIndexesAreBackAfterAnImport() throws {
        let lines = try sqliteExport()
        let imported = try accounts("import", "-", stdin: lines.joined(separator: "\n") + "\n")
        XCTAssertEqual(imported.status, 0, imported.stderr)
        XCTAssertEqual(try psql("SELECT indexname FROM pg_indexes WHERE tablename = 'users' ORDER BY 1"),
                       ["users_deactivated", "users_email_upper", "users_never_activated", "users_pkey", "users_user_id_key"])
        // And they work: a case variant of an imported email is refused.
        assertFails(try accounts("register", "other", "HONG@example.com", "--no-send"), 65, "already registered")
        XCTAssertEqual(try psql("SELECT count(*) FROM users"), ["2"])
    }

    func testAnImportThatBreaksAUniqueIndexIsUndoneWhole() throws {
        // SQLite would have refused two emails equal but for case; the file is edited instead.
        let lines = try sqliteExport().map { $0.replacingOccurrences(of: "kim@example.com", with: "HONG@example.com") }
        let result = try accounts("import", "-", stdin: lines.joined(separator: "\n") + "\n")
        assertFails(result, 65, "HONG@EXAMPLE.COM")
        for table in ["users", "audit_log", "purged_users", "outbox"] {
            XCTAssertEqual(try psql("SELECT count(*) FROM \(table)"), ["0"], table)
        }
        XCTAssertEqual(try psql("SELECT count(*) FROM pg_indexes WHERE tablename = 'users'"), ["5"], "the drop was undone too")
    }
}
