import Foundation
import XCTest

/// `accounts import` of files that are not what `export` writes: each refused with one line that
/// names the line (and the byte or key), exit 65, and the database exactly as it was.
final class TransferCLITests: CLITestCase {
    /// A real export of two accounts, one line a record.
    func exportLines() throws -> [String] {
        try initAndRegister("hong", "hong@example.com", extra: ["--no-send", "--department", "개발 \"팀\" \\ é"])
        try initAndRegister("kim", "kim@example.com", extra: ["--no-send"])
        let export = try accounts("export")
        XCTAssertEqual(export.status, 0, export.stderr)
        return export.stdoutLines
    }

    func testHostileFilesAreRefusedByLineAndChangeNothing() throws {
        let lines = try exportLines()
        XCTAssertEqual(lines.first, #"{"accounts_export":1}"#)
        let user = try XCTUnwrap(lines.first { $0.hasPrefix(#"{"table":"users""#) })
        let rest = lines.filter { $0 != user && $0 != lines[0] }
        func file(_ replacement: String) -> String { ([lines[0], replacement] + rest).joined(separator: "\n") + "\n" }
        XCTAssertEqual(try accounts("init", "-q", "--database", "target.sqlite3").status, 0)
        let before = try dump(database: "target.sqlite3")

        let cases: [(String, String)] = [
            ("{\"table\":\"users\"}\n", "line 1 is not the first line of an accounts export"),
            ("", "the export is empty"),
            (file(user.replacingOccurrences(of: #""table":"users""#, with: #""table":"groups""#)), "line 2: unknown table 'groups'"),
            (file(user.replacingOccurrences(of: #""level":"#, with: #""rank":"#)), "line 2: no level"),
            (file(String(user.dropLast()) + #","extra":1}"#), "line 2: unknown key 'extra' for users"),
            (file(String(user.dropLast()) + #","email":"x@example.com"}"#), "line 2, byte \(user.utf8.count + 1): key \"email\" twice"),
            (file(user.replacingOccurrences(of: #""is_active":false"#, with: #""is_active":0"#)), "line 2: is_active is not true or false"),
            (file(user.replacingOccurrences(of: #""id":1,"#, with: #""id":1.5,"#)), "expected a whole number"),
            (file(user.replacingOccurrences(of: #""id":1,"#, with: #""id":99999999999999999999,"#)), "number out of range"),
            (file(user.replacingOccurrences(of: #""date_joined":""#, with: #""date_joined":"x"#)), "line 2: date_joined is 'x"),
            (file(user.replacingOccurrences(of: #""date_joined":"20"#, with: #""date_joined":"2026-02-31T00:00:00.000000Z","x":"20"#)),
             "line 2: date_joined is '2026-02-31T00:00:00.000000Z' (not a date)"),
            (file(String(user.dropLast())), "line 2, byte \(user.utf8.count): expected '}'"),
            (file(user + " x"), "text after the object"),
            (file(user.replacingOccurrences(of: "hong\"", with: "hong\u{01}\"")), "control character in a string"),
            (file("{" + (0...32).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}"), "more than 32 keys"),
        ]
        for (text, message) in cases {
            let result = try accounts("import", "-", "--database", "target.sqlite3", stdin: text)
            assertFails(result, 65, message)
            XCTAssertEqual(try dump(database: "target.sqlite3"), before, message)
        }

        // Not UTF-8 (a lone continuation byte inside a string): refused the same way.
        var bytes = Data(file(user).utf8)
        let at = try XCTUnwrap(bytes.firstRange(of: Data("hong\"".utf8))).lowerBound
        bytes.insert(0x80, at: at + 2)
        let result = try run(Self.binary, ["import", "-", "--database", "target.sqlite3"], stdinData: bytes)
        assertFails(result, 65, "invalid UTF-8")
        XCTAssertEqual(try dump(database: "target.sqlite3"), before)

        // And the file as exported goes in, its escapes and its non-ASCII text intact.
        XCTAssertEqual(try accounts("import", "-", "--database", "target.sqlite3", stdin: lines.joined(separator: "\n") + "\n").status, 0)
        XCTAssertEqual(try accounts("export", "--database", "target.sqlite3").stdoutLines, lines)
    }

    /// Beyond the shape: every row as register validates an account, references to accounts that
    /// exist, no archived id reused, sequences a largest id can explain, a bounded line. Each
    /// refused with nothing written.
    func testRowsAreValidatedAsRegisterValidatesThemAndChangeNothing() throws {
        let lines = try exportLines()
        let user = try XCTUnwrap(lines.first { $0.hasPrefix(#"{"table":"users","id":1,"#) })
        let audit = try XCTUnwrap(lines.first { $0.hasPrefix(#"{"table":"audit_log","id":1,"#) })
        let sequences = try XCTUnwrap(lines.last)
        func file(replacing old: String, with new: String) -> String {
            lines.map { $0 == old ? new : $0 }.joined(separator: "\n") + "\n"
        }
        XCTAssertEqual(try accounts("init", "-q", "--database", "target.sqlite3").status, 0)
        let before = try dump(database: "target.sqlite3")
        let cases: [(String, String)] = [
            (file(replacing: user, with: user.replacingOccurrences(of: #""user_id":"hong""#, with: #""user_id":"hong\r\n=cmd""#)),
             "line 2: users row id 1 ('hong\\r\\n=cmd'): user_id invalid user_id"),
            (file(replacing: user, with: user.replacingOccurrences(of: #""user_id":"hong""#, with: #""user_id":"ho\u0000ng""#)), "user_id invalid user_id"),
            (file(replacing: user, with: user.replacingOccurrences(of: #""user_id":"hong""#, with: #""user_id":"hong\u202e""#)), "user_id invalid user_id"),
            (file(replacing: user, with: user.replacingOccurrences(of: #""user_id":"hong""#, with: #""user_id":"<b>hong</b>""#)), "user_id invalid user_id"),
            (file(replacing: user, with: user.replacingOccurrences(of: #""email":"hong@example.com""#, with: #""email":"hong@example.com\r\nBcc: x@evil.example""#)),
             "email invalid email"),
            (file(replacing: user, with: user.replacingOccurrences(of: #""email":"hong@example.com""#, with: #""email":"KIM@example.com""#)),
             "clashes with the database"),
            (file(replacing: user, with: user.replacingOccurrences(of: #""department":""#, with: #""department":"\u001b[2J"#)), "department invalid department"),
            (file(replacing: user, with: user.replacingOccurrences(of: #""level":"2""#, with: #""level":"2\u001b[2J""#)), "level invalid level"),
            (file(replacing: user, with: user.replacingOccurrences(of: #""id":1,"#, with: #""id":0,"#)), "users row id 0 ('hong'): id 0; ids start at 1"),
            (file(replacing: user, with: user.replacingOccurrences(of: #""id":1,"#, with: #""id":-5,"#)), "id -5; ids start at 1"),
            (file(replacing: audit, with: audit.replacingOccurrences(of: #""account_id":1,"#, with: #""account_id":999,"#)),
             "audit_log row id 1 is about account 999, which is neither in users nor in purged_users"),
            (file(replacing: audit, with: audit.replacingOccurrences(of: #""detail":"inactive"#, with: #""detail":"\u001b]0;owned\u0007inactive"#)),
             "audit_log row id 1: detail"),
            (file(replacing: sequences, with: sequences.replacingOccurrences(of: #""users":2"#, with: #""users":9223372036854775807"#)),
             "sequences: users is at 9223372036854775807, beyond what its largest id (2) explains"),
            ((lines.dropLast() + [#"{"table":"users","id":3,"user_id":""# + String(repeating: "a", count: 70_000) + "\"}"]).joined(separator: "\n") + "\n",
             "line \(lines.count) is longer than 65536 bytes"),
        ]
        for (text, message) in cases {
            let result = try accounts("import", "-", "--database", "target.sqlite3", stdin: text)
            assertFails(result, 65, message)
            XCTAssertEqual(try dump(database: "target.sqlite3"), before, message)
        }
        // A line of 400 MB is refused at its 64 KiB-th byte, not read whole.
        let huge = try run("/bin/sh", ["-c", "{ echo '{\"accounts_export\":1}'; head -c 400000000 /dev/zero | tr '\\0' 'x'; } | /usr/bin/time -f '%M' '\(Self.binary)' import - --database target.sqlite3"])
        XCTAssertTrue(huge.stderr.contains("line 2 is longer than 65536 bytes"), huge.stderr)
        let peakKiB = Int(huge.stderr.split(separator: "\n").last ?? "") ?? .max
        XCTAssertLessThan(peakKiB, 100_000, "peak memory (KiB) of a refused 400 MB line")

        // An --append that would give a live account an archived account's id: refused by the
        // database itself on SQLite, as on PostgreSQL.
        XCTAssertEqual(try accounts("import", "-", "--database", "target.sqlite3", stdin: lines.joined(separator: "\n") + "\n").status, 0)
        XCTAssertEqual(try accounts("delete", "hong", "--yes", "--database", "target.sqlite3").status, 0)
        let archived = try dump(database: "target.sqlite3")
        let again = user.replacingOccurrences(of: #""user_id":"hong""#, with: #""user_id":"hong3""#)
            .replacingOccurrences(of: #""email":"hong@example.com""#, with: #""email":"hong3@example.com""#)
        let reuse = try accounts("import", "--append", "-", "--database", "target.sqlite3", stdin: [lines[0], again].joined(separator: "\n") + "\n")
        assertFails(reuse, 65, "users row id 1 ('hong3') clashes with the database")
        XCTAssertEqual(try dump(database: "target.sqlite3"), archived)
    }
}
