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
}
