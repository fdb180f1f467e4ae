import AccountsCore
import Foundation
import XCTest

/// Hostile and broken input through the built binary, as a table: each case must exit with its
/// code, print exactly one clear line on stderr and nothing on stdout, not crash, and leave the
/// database exactly as it was.
final class HostileInputCLITests: CLITestCase {
    struct Case {
        let name: String
        let arguments: [String]
        var stdin: Data? = nil
        var env: [String: String] = [:]
        /// Run as an unprivileged user, so that file permissions hold even when the suite runs as root.
        var unprivileged = false
        let status: Int32
        let message: String
    }

    func testHostileInputGetsOneClearLineAndChangesNothing() throws {
        let hongURL = try initAndRegister("hong", "hong@example.com")
        let kimURL = try initAndRegister("kim", "kim@example.com")
        let token = String(hongURL.split(separator: "/").last!)
        let kimToken = String(kimURL.split(separator: "/").last!)
        let (stamp, hash) = (String(token.split(separator: "-")[0]), String(token.split(separator: "-")[1]))
        let retiredKeyToken = try tokenForHong(signedWith: "a-key-that-was-retired")
        try prepareBrokenFiles()

        let link = "https://example.com/users/activate"
        let cases: [Case] = [
            // Activation URLs
            Case(name: "URL without uid and token", arguments: ["activate", "https://example.com/"], status: 65, message: "does not end in /<uid>/<token>/"),
            Case(name: "URL with only the uid", arguments: ["activate", "MQ"], status: 65, message: "does not end in /<uid>/<token>/"),
            Case(name: "URL missing the token", arguments: ["activate", "\(link)/MQ/"], status: 65, message: "'activate' is not a user id"),
            Case(name: "extra segment after the token", arguments: ["activate", "\(link)/MQ/\(token)/extra/"], status: 65, message: "is not a user id"),
            Case(name: "token moved into the query", arguments: ["activate", "\(link)/MQ/?token=\(token)"], status: 65, message: "'activate' is not a user id"),
            Case(name: "token moved into the fragment", arguments: ["activate", "\(link)/MQ/#\(token)"], status: 65, message: "'activate' is not a user id"),
            Case(name: "broken percent-encoding", arguments: ["activate", "\(link)/MQ/\(stamp)%zz\(hash)/"], status: 65, message: "does not end in"),
            Case(name: "percent-encoded slash joins the segments", arguments: ["activate", "\(link)/MQ%2F\(token)/"], status: 65, message: "is not a user id"),
            Case(name: "percent-encoded NUL in the uid", arguments: ["activate", "\(link)/MQ%00/\(token)/"], status: 65, message: "'MQ\\0' is not a user id"),
            Case(name: "space inside the URL", arguments: ["activate", "\(link)/MQ/\(stamp) -\(hash)/"], status: 65, message: "does not end in"),
            Case(name: "newline inside the URL", arguments: ["activate", "\(link)/MQ/\n\(token)/"], status: 65, message: "does not end in"),
            Case(name: "NUL on standard input", arguments: ["activate", "-"], stdin: Data("\(link)/MQ\u{0}/\(token)/".utf8), status: 65, message: "does not end in"),
            Case(name: "1 MB uid on standard input", arguments: ["activate", "-"], stdin: Data("\(link)/\(String(repeating: "M", count: 1 << 20))/\(token)/".utf8),
                 status: 65, message: "more than 1048576 bytes on standard input"),
            Case(name: "100 kB URL", arguments: ["activate", "\(link)/\(String(repeating: "Q", count: 100_000))/\(token)/"], status: 65,
                 message: "longer than any link (at most 8192)"),
            Case(name: "not UTF-8 on standard input", arguments: ["activate", "-"], stdin: Data([0x4d, 0x51, 0x2f, 0xff, 0xfe]), status: 65, message: "not UTF-8"),
            // uids
            Case(name: "uid not base64", arguments: ["activate", "!!", token], status: 65, message: "'!!' is not a user id"),
            Case(name: "uid decodes to letters", arguments: ["activate", "YWJj", token], status: 65, message: "is not a user id"),
            Case(name: "uid decodes to -1", arguments: ["activate", "LTE", token], status: 65, message: "is not a user id"),
            Case(name: "uid decodes to 0", arguments: ["activate", "MA", token], status: 65, message: "is not a user id"),
            Case(name: "uid beyond 64 bits", arguments: ["activate", "OTk5OTk5OTk5OTk5OTk5OTk5OTk", token], status: 65, message: "is not a user id"),
            Case(name: "uid with padding", arguments: ["activate", "MQ==", token], status: 65, message: "is not a user id"),
            Case(name: "empty uid", arguments: ["activate", "", token], status: 65, message: "'' is not a user id"),
            Case(name: "100 kB uid", arguments: ["activate", String(repeating: "MQ", count: 50_000), token], status: 65, message: "is not a user id"),
            Case(name: "uid of nobody", arguments: ["activate", "OTk5", token], status: 67, message: "user #999, which does not exist"),
            // tokens
            Case(name: "token without a dash", arguments: ["activate", "MQ", stamp + hash], status: 65, message: "is not a token"),
            Case(name: "token with two dashes", arguments: ["activate", "MQ", "\(stamp)-\(hash)-"], status: 65, message: "is not a token"),
            Case(name: "token with bad base36", arguments: ["activate", "MQ", "\(stamp.uppercased())!-\(hash)"], status: 65, message: "is not a token"),
            Case(name: "token timestamp of 14 digits", arguments: ["activate", "MQ", "1000000000000a-\(hash)"], status: 65, message: "is not a token"),
            Case(name: "token timestamp far in the future", arguments: ["activate", "MQ", "zzzzzzzzzzzz-\(hash)"], status: 65, message: "the token does not match"),
            Case(name: "token timestamp far in the past", arguments: ["activate", "MQ", "0-\(hash)"], status: 65, message: "the token does not match"),
            Case(name: "token hash one digit short", arguments: ["activate", "MQ", String(token.dropLast())], status: 65, message: "is not a token"),
            Case(name: "token hash one digit long", arguments: ["activate", "MQ", token + "0"], status: 65, message: "is not a token"),
            Case(name: "token in upper-case hex", arguments: ["activate", "MQ", "\(stamp)-\(hash.uppercased())"], status: 65,
                 message: hash.uppercased() == hash ? "the token does not match" : "is not a token"),
            Case(name: "empty token", arguments: ["activate", "MQ", ""], status: 65, message: "'' is not a token"),
            Case(name: "valid token of another user", arguments: ["activate", "MQ", kimToken], status: 65, message: "the token does not match"),
            Case(name: "token signed with a retired key", arguments: ["activate", "MQ", retiredKeyToken], status: 65, message: "the token does not match"),
            // user_ids and emails
            Case(name: "user_id with CR LF", arguments: ["register", "eve\r\nBcc: x", "eve@example.com"], status: 65, message: "invalid user_id"),
            Case(name: "email with CR LF", arguments: ["register", "eve", "eve@example.com\r\nBcc: x@evil.example"], status: 65, message: "control characters"),
            Case(name: "department with NUL (from settings)", arguments: ["register", "eve", "eve@example.com", "--settings", "nul.json"],
                 status: 65, message: "invalid department 'R&\\0D': it contains control characters"),
            Case(name: "user_id with HTML", arguments: ["register", "<img src=x>", "eve@example.com"], status: 65, message: "invalid user_id"),
            Case(name: "email with HTML", arguments: ["register", "eve", "<eve@example.com>"], status: 65, message: "invalid email"),
            Case(name: "user_id with SQL", arguments: ["register", "x' OR '1'='1", "eve@example.com"], status: 65, message: "invalid user_id"),
            Case(name: "email with SQL", arguments: ["register", "eve", "eve@example.com'; DROP TABLE users;--"], status: 65, message: "invalid email"),
            Case(name: "user_id with a Cyrillic look-alike", arguments: ["register", "h\u{043E}ng", "eve@example.com"], status: 65, message: "mixes Latin and Cyrillic"),
            Case(name: "full-width user_id is hong after NFKC", arguments: ["register", "ｈｏｎｇ", "eve@example.com"], status: 65, message: "user_id 'hong' is already registered"),
            Case(name: "email domain with a Cyrillic look-alike", arguments: ["register", "eve", "eve@ex\u{0430}mple.com"], status: 65, message: "invalid email"),
            Case(name: "10 kB user_id", arguments: ["register", String(repeating: "e", count: 10_240), "eve@example.com"], status: 65, message: "longer than 150"),
            Case(name: "10 kB email", arguments: ["register", "eve", String(repeating: "e", count: 10_240) + "@example.com"], status: 65, message: "invalid email"),
            Case(name: "send-activation to nobody", arguments: ["send-activation", "nobody\r\n"], status: 67, message: "no account with user_id or email 'nobody\\r\\n'"),
            // secrets.json
            Case(name: "secrets missing", arguments: ["activate", hongURL, "--secrets", "nope.json"], status: 78, message: "secrets file nope.json not found"),
            Case(name: "secrets empty", arguments: ["activate", hongURL, "--secrets", "secrets-empty.json"], status: 78, message: "is not a JSON object"),
            Case(name: "secrets malformed", arguments: ["activate", hongURL, "--secrets", "secrets-malformed.json"], status: 78, message: "is not a JSON object"),
            Case(name: "secrets without SECRET_KEY", arguments: ["activate", hongURL, "--secrets", "secrets-nokey.json"], status: 78, message: "has no SECRET_KEY"),
            Case(name: "secrets a directory", arguments: ["activate", hongURL, "--secrets", "secrets-dir"], status: 78, message: "is not a regular file"),
            Case(name: "secrets readable by others", arguments: ["activate", hongURL, "--secrets", "secrets-644.json"], status: 78, message: "can be read by other users"),
            Case(name: "secrets unreadable", arguments: ["register", "eve", "eve@example.com", "--database", "ro/accounts.sqlite3", "--secrets", "secrets-000.json"],
                 unprivileged: true, status: 78, message: "cannot be read"),
            // settings
            Case(name: "settings missing", arguments: ["list", "--settings", "nope.json"], status: 78, message: "nope.json"),
            Case(name: "settings empty", arguments: ["list", "--settings", "settings-empty.json"], status: 78, message: "settings-empty.json"),
            Case(name: "settings malformed", arguments: ["list", "--settings", "settings-malformed.json"], status: 78, message: "settings-malformed.json"),
            Case(name: "settings with a wrong type", arguments: ["list", "--settings", "settings-type.json"], status: 78, message: "PASSWORD_RESET_TIMEOUT"),
            Case(name: "settings with a misspelt key", arguments: ["list", "--settings", "settings-typo.json"], status: 78, message: "unknown setting DATABSE"),
            Case(name: "settings a directory", arguments: ["list", "--settings", "secrets-dir"], status: 78, message: "secrets-dir"),
            Case(name: "settings unreadable", arguments: ["list", "--settings", "settings-000.json"], unprivileged: true, status: 78, message: "settings-000.json"),
            Case(name: "setting from the environment malformed", arguments: ["list"], env: ["ACCOUNTS_PASSWORD_RESET_TIMEOUT": "soon"],
                 status: 78, message: "PASSWORD_RESET_TIMEOUT"),
            // the database
            Case(name: "database a directory", arguments: ["list", "--database", "secrets-dir"], status: 74, message: "is a directory"),
            Case(name: "database read-only", arguments: ["activate", hongURL, "--database", "ro/accounts.sqlite3"], unprivileged: true,
                 status: 74, message: "ro/accounts.sqlite3: it is read-only for this user"),
            Case(name: "database corrupt", arguments: ["activate", hongURL, "--database", "corrupt.sqlite3"], status: 69, message: "not an SQLite database"),
            Case(name: "database missing", arguments: ["activate", hongURL, "--database", "missing.sqlite3"], status: 66, message: "no database at missing.sqlite3"),
        ]
        XCTAssertGreaterThanOrEqual(cases.count, 40)

        let before = try dump()
        let corruptBefore = try Data(contentsOf: URL(fileURLWithPath: directory + "/corrupt.sqlite3"))
        for item in cases {
            var arguments = item.arguments
            var executable = Self.binary
            if item.unprivileged && getuid() == 0 {
                arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", Self.binary] + arguments
                executable = "/usr/bin/setpriv"
            }
            let result = try run(executable, arguments, stdinData: item.stdin, env: item.env)
            XCTAssertEqual(result.status, item.status, "\(item.name): \(result.stderr)")
            XCTAssertEqual(result.stdout, "", item.name)
            let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false)
            XCTAssertEqual(lines.count, 2, "\(item.name): one line on stderr: \(result.stderr.prefix(500))")
            XCTAssertTrue(result.stderr.hasPrefix("accounts: "), "\(item.name): \(result.stderr.prefix(500))")
            XCTAssertTrue(result.stderr.contains(item.message), "\(item.name): expected '\(item.message)' in \(result.stderr.prefix(500))")
            XCTAssertLessThan(result.stderr.utf8.count, 600, "\(item.name): the message is short")
            XCTAssertEqual(try dump(), before, "\(item.name) changed the database")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: directory + "/corrupt.sqlite3")), corruptBefore)
        // VACUUM INTO may list the schema in another order; the content must be the same.
        XCTAssertEqual(Set(try dump(database: "ro/accounts.sqlite3").split(separator: "\n")), Set(before.split(separator: "\n")),
                       "the read-only copy is untouched")
        XCTAssertEqual(outboxFiles().count, 2, "no mail went out")
    }

    /// SQL metacharacters where they are allowed are stored as data, not run.
    func testSQLMetacharactersAreData() throws {
        try initAndRegister()
        let department = "'); DROP TABLE users; --"
        try initAndRegister("obrien", "o'brien@example.com", extra: ["--department", department])
        XCTAssertEqual(try sql("SELECT email, department FROM users WHERE id = 2"), ["o'brien@example.com|\(department)"])
        XCTAssertEqual(try sql("SELECT count(*) FROM users"), ["2"])
        let listed = try jsonArray(try accounts("list", "--format", "json").stdout)
        XCTAssertEqual(listed.last?["department"] as? String, department)
    }

    /// A token for hong (id 1) made with `key`, as a retired key would have made it.
    private func tokenForHong(signedWith key: String) throws -> String {
        let row = try sql("SELECT email || char(9) || password FROM users WHERE id = 1")[0].split(separator: "\t").map(String.init)
        let hong = User(id: 1, userID: "hong", email: row[0], password: row[1], dateJoined: .now())
        return TokenGenerator(secretKey: key).makeToken(for: hong, at: .now())
    }

    private func prepareBrokenFiles() throws {
        func write(_ name: String, _ text: String, mode: mode_t = 0o600) throws {
            try text.write(toFile: directory + "/" + name, atomically: false, encoding: .utf8)
            chmod(directory + "/" + name, mode)
        }
        try write("secrets-empty.json", "")
        try write("secrets-malformed.json", "{\"SECRET_KEY\": ")
        try write("secrets-nokey.json", "{\"SECRET_KEY_FALLBACKS\": []}")
        try write("secrets-644.json", "{\"SECRET_KEY\": \"x\"}", mode: 0o644)
        try write("secrets-000.json", "{\"SECRET_KEY\": \"x\"}", mode: 0o000)
        try FileManager.default.createDirectory(atPath: directory + "/secrets-dir", withIntermediateDirectories: false)
        try write("settings-empty.json", "", mode: 0o644)
        try write("settings-malformed.json", "{\"TIME_ZONE\": \"UTC\",", mode: 0o644)
        try write("settings-type.json", "{\"PASSWORD_RESET_TIMEOUT\": \"three days\"}", mode: 0o644)
        try write("settings-typo.json", "{\"DATABSE\": \"other.sqlite3\"}", mode: 0o644)
        try write("settings-000.json", "{}", mode: 0o000)
        try write("nul.json", "{\"DEFAULT_DEPARTMENT\": \"R&\\u0000D\"}", mode: 0o644)
        try Data(repeating: 0x5a, count: 8192).write(to: URL(fileURLWithPath: directory + "/corrupt.sqlite3"))
        chmod(directory + "/corrupt.sqlite3", 0o600)
        // A copy of the database in a directory nobody may write: the file and its WAL are read-only.
        try FileManager.default.createDirectory(atPath: directory + "/ro", withIntermediateDirectories: false)
        XCTAssertEqual(try sql("VACUUM INTO 'ro/accounts.sqlite3'"), [])
        chmod(directory + "/ro/accounts.sqlite3", 0o440)
        if getuid() == 0 { chown(directory + "/ro/accounts.sqlite3", 0, 65534) } // readable by nobody's group
        chmod(directory + "/ro", 0o555)
        addTeardownBlock { [directory] in chmod(directory + "/ro", 0o755) }
    }
}
