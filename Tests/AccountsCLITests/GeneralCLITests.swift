import Foundation
import XCTest

final class GeneralCLITests: CLITestCase {
    func testHelpAnswers() throws {
        let help = try accounts("--help")
        XCTAssertEqual(help.status, 0)
        for command in ["init", "register", "send-activation", "activate", "list", "purge-expired", "Exit codes"] {
            XCTAssertTrue(help.stdout.contains(command), command)
        }
        let register = try accounts("register", "--help")
        XCTAssertEqual(register.status, 0)
        XCTAssertTrue(register.stdout.contains("--password-stdin"))
        XCTAssertTrue(try accounts("help", "purge-expired").stdout.contains("--older-than"))
        assertFails(try accounts("frobnicate"), 64, "frobnicate")
    }

    func testInitIsSafeToRepeatAndPrivate() throws {
        let first = try accounts("init")
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(first.stdout, "")
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/secrets.json")
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let key = try String(contentsOfFile: directory + "/secrets.json", encoding: .utf8)
        let again = try accounts("init")
        XCTAssertEqual(again.status, 0)
        XCTAssertTrue(again.stderr.contains("kept existing"))
        XCTAssertEqual(try String(contentsOfFile: directory + "/secrets.json", encoding: .utf8), key, "never replaced")
        XCTAssertEqual(try sql("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('users', 'purged_users') ORDER BY name"),
                       ["purged_users", "users"])
        XCTAssertEqual(try sql("PRAGMA journal_mode"), ["wal"])
    }

    func testReadableSecretsAreRefusedUnlessAllowedAndSecretsNeverPrinted() throws {
        try #"{"SECRET_KEY": "s3cr3t-value-that-must-not-leak", "EMAIL_HOST_PASSWORD": "mail-password-xyz"}"#
            .write(toFile: directory + "/secrets.json", atomically: true, encoding: .utf8)
        chmod(directory + "/secrets.json", 0o644)
        let refused = try accounts("register", "hong", "hong@example.com")
        assertFails(refused, 78, "can be read by other users (mode 644)")
        XCTAssertTrue(refused.stderr.contains("chmod 600 secrets.json, or pass --allow-insecure-secrets"), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/accounts.sqlite3"), "refused before anything was written")
        let result = try accounts("register", "hong", "hong@example.com", "--format", "json", "--allow-insecure-secrets")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("warning: secrets file secrets.json can be read by other users"), result.stderr)
        for run in [refused, result, try accounts("list", "--format", "json"), try accounts("activate", "x"),
                    try accounts("activate", "MQ", "abc-0123456789abcdef0123456789abcdef", "--allow-insecure-secrets")] {
            XCTAssertFalse((run.stdout + run.stderr).contains("s3cr3t-value"))
            XCTAssertFalse((run.stdout + run.stderr).contains("mail-password"))
        }
    }

    func testSettingsFileEnvironmentAndFlags() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        try #"{"ACTIVATION_URL": "https://file.example/a/{uid}/{token}/", "DEFAULT_LEVEL": "7", "EMAIL_FILE_PATH": "mails"}"#
            .write(toFile: directory + "/settings.json", atomically: true, encoding: .utf8)
        XCTAssertTrue(try accounts("register", "a", "a@example.com").stdout.hasPrefix("https://file.example/a/"))
        XCTAssertEqual(try accounts(["register", "b", "b@example.com"], env: ["ACCOUNTS_ACTIVATION_URL": "https://env.example/{uid}/{token}"])
            .stdout.prefix(20), "https://env.example/")
        XCTAssertTrue(try accounts("register", "c", "c@example.com", "--activation-url", "https://flag.example/{uid}/{token}")
            .stdout.hasPrefix("https://flag.example/"))
        XCTAssertEqual(try sql("SELECT DISTINCT level FROM users"), ["7"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory + "/mails").count, 3)
        try #"{"ACTIVATION_URL": "https://x/"}"#.write(toFile: directory + "/settings.json", atomically: true, encoding: .utf8)
        assertFails(try accounts("register", "d", "d@example.com"), 78, "ACTIVATION_URL must contain {uid} and {token}")
        assertFails(try accounts("list", "--settings", "nope.json"), 78, "nope.json")
    }

    func testDatabaseFlagAndBrokenDatabases() throws {
        XCTAssertEqual(try accounts("init", "-q", "--database", "elsewhere.sqlite3").status, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/elsewhere.sqlite3"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/accounts.sqlite3"))
        try FileManager.default.createDirectory(atPath: directory + "/dir.sqlite3", withIntermediateDirectories: false)
        assertFails(try accounts("register", "a", "a@example.com", "--database", "dir.sqlite3"), 74, "is a directory")
        try Data(repeating: 0x5a, count: 4096).write(to: URL(fileURLWithPath: directory + "/corrupt.sqlite3"))
        chmod(directory + "/corrupt.sqlite3", 0o600)
        assertFails(try accounts("list", "--database", "corrupt.sqlite3"), 69, "not an SQLite database")
    }

    func testTemplatesDirectoryOverridesTheBuiltInCopy() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        let templates = directory + "/my-templates"
        try FileManager.default.createDirectory(atPath: templates, withIntermediateDirectories: false)
        try "Welcome {{user_id}}".write(toFile: templates + "/activation_subject.txt", atomically: true, encoding: .utf8)
        try "Go to {{activation_url}}".write(toFile: templates + "/activation_email.txt", atomically: true, encoding: .utf8)
        try "<a href=\"{{activation_url}}\">{{user_id}}</a>".write(toFile: templates + "/activation_email.html", atomically: true, encoding: .utf8)
        XCTAssertEqual(try accounts("register", "hong", "hong@example.com", "--templates", templates).status, 0)
        let mail = try String(contentsOfFile: directory + "/outbox/" + outboxFiles()[0], encoding: .utf8)
        XCTAssertTrue(mail.contains("Subject: Welcome hong\r\n"), mail)
        assertFails(try accounts("register", "kim", "kim@example.com", "--templates", directory + "/none"), 78, "template")
        XCTAssertEqual(try sql("SELECT count(*) FROM users"), ["1"], "a configuration error is found before the insert")
    }

    /// The completion scripts `make install` puts in place, driven in a real bash.
    func testBashCompletionCompletesSubcommandsAndOptions() throws {
        let script = try accounts("--generate-completion-script", "bash")
        XCTAssertEqual(script.status, 0)
        try script.stdout.write(toFile: directory + "/accounts.bash", atomically: true, encoding: .utf8)
        func complete(_ words: [String]) throws -> String {
            let line = words.joined(separator: " ")
            let program = """
                source accounts.bash
                COMP_WORDS=(\(words.map { "'\($0)'" }.joined(separator: " "))); COMP_CWORD=\(words.count - 1)
                COMP_LINE='\(line)'; COMP_POINT=\(line.utf8.count)
                _accounts accounts '\(words.last!)' '\(words[words.count - 2])'
                echo "${COMPREPLY[@]}"
                """
            return try run("/bin/bash", ["-c", program]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        XCTAssertEqual(try complete(["accounts", "re"]), "register restore reactivate")
        XCTAssertEqual(try complete(["accounts", "set"]), "set-password")
        XCTAssertEqual(try complete(["accounts", "list", "--st"]), "--state")
        XCTAssertEqual(try complete(["accounts", "log", "--for"]), "--format")
        for shell in ["zsh", "fish"] {
            let other = try accounts("--generate-completion-script", shell)
            XCTAssertEqual(other.status, 0)
            XCTAssertTrue(other.stdout.contains("purge-expired"), shell)
        }
    }
}
