import AccountsCore
import Foundation
import XCTest

final class RegisterCLITests: CLITestCase {
    func testRegisterPrintsOnlyTheURLAndMailsTheLink() throws {
        XCTAssertEqual(try accounts("init").status, 0)
        let result = try accounts("register", "hong", "Hong@Example.COM")
        XCTAssertEqual(result.status, 0, result.stderr)
        let url = try XCTUnwrap(result.stdoutLines.first)
        XCTAssertEqual(result.stdoutLines.count, 1)
        XCTAssertTrue(url.hasPrefix("http://localhost:8000/users/activate/MQ/"), url)
        XCTAssertTrue(result.stderr.contains("registered 'hong'"), result.stderr)

        let row = try sql("SELECT user_id, email, is_active, level, department, last_login IS NULL, activation_sent_at IS NOT NULL, substr(password, 1, 1), length(password) FROM users")
        XCTAssertEqual(row, ["hong|Hong@example.com|0|2|컴퓨터공학부|1|1|!|41"], "domain lower-cased; unusable password")
        let joined = try sql("SELECT date_joined FROM users").first ?? ""
        XCTAssertNotNil(joined.range(of: #"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$"#, options: .regularExpression), joined)

        let files = outboxFiles()
        XCTAssertEqual(files.count, 1)
        let mail = try String(contentsOfFile: directory + "/outbox/" + files[0], encoding: .utf8)
        XCTAssertTrue(mail.contains("To: Hong@example.com\r\n"))
    }

    func testMailParsesWithPythonsEmailPackage() throws {
        let url = try initAndRegister("홍길동", "gildong@example.com", extra: ["--activation-url", "https://site.kr/users/activate/{uid}/{token}/"])
        let file = directory + "/outbox/" + (outboxFiles().first ?? "")
        let script = """
            import email, json, sys
            from email import policy
            m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=policy.default)
            parts = [(p.get_content_type(), p.get_content()) for p in m.iter_parts()]
            print(json.dumps({"subject": str(m["subject"]), "type": m.get_content_type(), "to": str(m["to"]),
                              "parts": parts, "defects": [str(d) for d in m.defects]}, ensure_ascii=False))
            """
        let result = try run("/usr/bin/env", ["python3", "-c", script, file])
        XCTAssertEqual(result.status, 0, result.stderr)
        let parsed = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(parsed["subject"] as? String, "홍길동님의 회원가입 인증메일 입니다.")
        XCTAssertEqual(parsed["type"] as? String, "multipart/alternative")
        XCTAssertEqual(parsed["to"] as? String, "gildong@example.com")
        XCTAssertEqual((parsed["defects"] as? [Any])?.count, 0)
        let parts = try XCTUnwrap(parsed["parts"] as? [[String]])
        XCTAssertEqual(parts.map { $0[0] }, ["text/plain", "text/html"])
        XCTAssertTrue(url.hasPrefix("https://site.kr/users/activate/"))
        XCTAssertTrue(parts[0][1].contains(url))
        XCTAssertTrue(parts[1][1].contains("href=\"\(url)\""))
    }

    func testPasswordFromStandardInputIsHashedLikeDjango() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        let result = try accounts("register", "kim", "kim@example.com", "--password-stdin", stdin: "correct horse\n")
        XCTAssertEqual(result.status, 0, result.stderr)
        let stored = try XCTUnwrap(try sql("SELECT password FROM users").first)
        XCTAssertTrue(stored.hasPrefix("pbkdf2_sha256$1000000$"), stored)
        XCTAssertTrue(PasswordHasher().verify("correct horse", against: stored))
        XCTAssertFalse(result.stdout.contains("correct horse") || result.stderr.contains("correct horse"))
    }

    func testPasswordIsNeverAnArgument() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        assertFails(try accounts("register", "kim", "kim@example.com", "--password", "x"), 64, "Unknown option '--password'")
        assertFails(try accounts("register", "kim", "kim@example.com", "--password-stdin", "--prompt-password"), 64, "cannot be used together")
        assertFails(try accounts("register", "kim", "kim@example.com", "--password-stdin", stdin: ""), 65, "the password is empty")
        XCTAssertEqual(try dump(), try dump())
        XCTAssertEqual(try sql("SELECT count(*) FROM users"), ["0"])
    }

    func testBadInputIsRefusedAndChangesNothing() throws {
        try initAndRegister()
        let before = try dump()
        let cases: [([String], Int32, String)] = [
            (["register", "hong", "other@example.com"], 65, "user_id 'hong' is already registered"),
            (["register", "kim", "HONG@EXAMPLE.com"], 65, "email 'HONG@example.com' is already registered (to user_id 'hong')"),
            (["register", "kim", "not-an-email"], 65, "invalid email"),
            (["register", "kim", "kim@example.com\r\nBcc: x@evil.com"], 65, "control characters"),
            (["register", "kim lee", "kim@example.com"], 65, "invalid user_id"),
            (["register", "<script>", "kim@example.com"], 65, "invalid user_id"),
            (["register", String(repeating: "k", count: 151), "kim@example.com"], 65, "longer than 150"),
            (["register", "kim", "kim@example.com", "--level", "a\nb"], 65, "invalid level"),
            (["register", "kim"], 64, "give the user-id and the email, or --from-csv FILE"),
            (["register"], 64, "give the user-id and the email, or --from-csv FILE"),
        ]
        for (arguments, status, message) in cases {
            assertFails(try accounts(arguments), status, message)
            XCTAssertEqual(try dump(), before, "\(arguments) changed the database")
        }
        XCTAssertEqual(outboxFiles().count, 1, "no mail for refused registrations")
    }

    func testNoSendCreatesTheAccountWithoutMail() throws {
        let url = try initAndRegister(extra: ["--no-send", "--level", "3", "--department", "수학과"])
        XCTAssertTrue(url.contains("/MQ/"))
        XCTAssertEqual(outboxFiles(), [])
        XCTAssertEqual(try sql("SELECT activation_sent_at IS NULL, level, department FROM users"), ["1|3|수학과"])
    }

    func testJSONOutput() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        let result = try accounts("register", "hong", "hong@example.com", "--format", "json")
        XCTAssertEqual(result.status, 0)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["user_id"] as? String, "hong")
        XCTAssertEqual(object["uid"] as? String, "MQ")
        XCTAssertTrue((object["activation_url"] as? String)?.contains(object["token"] as? String ?? "?") == true)
        XCTAssertTrue((object["mail"] as? String)?.hasPrefix("outbox/") == true)
    }

    func testMissingSecretsIsAConfigurationErrorAndCreatesNothing() throws {
        assertFails(try accounts("register", "hong", "hong@example.com"), 78, "accounts init")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/accounts.sqlite3"))
        try "{ not json".write(toFile: directory + "/secrets.json", atomically: true, encoding: .utf8)
        chmod(directory + "/secrets.json", 0o600)
        assertFails(try accounts("register", "hong", "hong@example.com"), 78, "is not a JSON object")
        try #"{"SECRET_KEY": ""}"#.write(toFile: directory + "/secrets.json", atomically: true, encoding: .utf8)
        chmod(directory + "/secrets.json", 0o600)
        assertFails(try accounts("register", "hong", "hong@example.com"), 78, "has no SECRET_KEY")
    }

    func testMailFailureKeepsTheAccountAndSaysHowToRetry() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        // The mail directory cannot be created: a file stands where it should be.
        try "".write(toFile: directory + "/outbox", atomically: true, encoding: .utf8)
        let result = try accounts("register", "hong", "hong@example.com")
        assertFails(result, 74, "accounts send-activation hong")
        XCTAssertTrue(result.stderr.contains("was registered but the activation mail was not sent"), result.stderr)
        XCTAssertEqual(try sql("SELECT user_id, is_active, activation_sent_at IS NULL FROM users"), ["hong|0|1"])
        try FileManager.default.removeItem(atPath: directory + "/outbox")
        let retry = try accounts("send-activation", "hong")
        XCTAssertEqual(retry.status, 0, retry.stderr)
        XCTAssertEqual(outboxFiles().count, 1)
        XCTAssertEqual(try sql("SELECT activation_sent_at IS NOT NULL FROM users"), ["1"])
    }

    func testSMTPServerThatCannotBeReachedKeepsTheAccount() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        // EMAIL_HOST selects SMTP; nothing listens on that port.
        let result = try accounts("register", "hong", "hong@example.com", env: ["ACCOUNTS_EMAIL_HOST": "127.0.0.1", "ACCOUNTS_EMAIL_PORT": "9"])
        assertFails(result, 69, "SMTP connection to 127.0.0.1:9 failed")
        XCTAssertEqual(try sql("SELECT user_id, activation_sent_at IS NULL FROM users"), ["hong|1"])
    }

    func testConsoleBackendWritesTheMessageToStandardError() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        let result = try accounts("register", "hong", "hong@example.com", "--email-backend", "console")
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdoutLines.count, 1)
        XCTAssertTrue(result.stderr.contains("Content-Type: multipart/alternative;"))
        XCTAssertEqual(outboxFiles(), [])
    }
}

final class PromptPasswordCLITests: CLITestCase {
    /// Drives `--prompt-password` through a real pseudo-terminal (Python's pty module).
    func promptRun(_ first: String, _ second: String) throws -> (status: Int, screen: String) {
        let script = """
            import os, pty, sys
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(sys.argv[1], [sys.argv[1], "register", "kim", "kim@example.com", "--prompt-password", "--no-send"])
            screen = b""
            def read_until(marker):
                global screen
                while marker not in screen:
                    try:
                        chunk = os.read(fd, 1024)
                    except OSError:
                        return
                    if not chunk:
                        return
                    screen += chunk
            read_until(b"Password: ")
            os.write(fd, sys.argv[2].encode() + b"\\n")
            read_until(b"(again): ")
            os.write(fd, sys.argv[3].encode() + b"\\n")
            read_until(b"\\0never")
            _, status = os.waitpid(pid, 0)
            print(os.waitstatus_to_exitcode(status))
            sys.stdout.write(screen.decode(errors="replace"))
            """
        let result = try run("/usr/bin/env", ["python3", "-c", script, Self.binary, first, second])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n", maxSplits: 1)
        return (Int(lines.first ?? "") ?? -1, lines.count > 1 ? String(lines[1]) : "")
    }

    func testPromptedPasswordIsNotEchoedAndIsHashed() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        let (status, screen) = try promptRun("tty-secret-1", "tty-secret-1")
        XCTAssertEqual(status, 0, screen)
        XCTAssertFalse(screen.contains("tty-secret-1"), "echoed: \(screen)")
        XCTAssertTrue(screen.contains("/users/activate/MQ/"), screen)
        let stored = try XCTUnwrap(try sql("SELECT password FROM users").first)
        XCTAssertTrue(PasswordHasher().verify("tty-secret-1", against: stored))
    }

    func testMismatchedPasswordsCreateNothing() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        let (status, screen) = try promptRun("one", "two")
        XCTAssertEqual(status, 65)
        XCTAssertTrue(screen.contains("the two passwords differ"), screen)
        XCTAssertEqual(try sql("SELECT count(*) FROM users"), ["0"])
    }

    func testWithoutATerminalItSaysWhatToDoInstead() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        let result = try run("/usr/bin/setsid", ["--wait", Self.binary, "register", "kim", "kim@example.com", "--prompt-password"])
        assertFails(result, 64, "--password-stdin")
    }
}
