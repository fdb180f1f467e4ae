import Foundation
import XCTest

/// What a newcomer following the docs literally hit (issue 29), each as behaviour: init in a
/// directory that is not theirs, a misspelled variable, a quiet dry run, a mistyped command, help
/// wrapped twice, an outbox mail to read, check-smtp with no SMTP settings.
final class FollowingTheDocsCLITests: CLITestCase {
    func testInitInADirectoryOfAnotherUserSaysWhichWhoseAndWhatToDo() throws {
        let taken = directory + "/srv-accounts"
        try FileManager.default.createDirectory(atPath: taken, withIntermediateDirectories: true)
        chmod(taken, 0o755)
        let result: Run
        if geteuid() == 0 {
            // As an ordinary user in a directory root made (mkdir with sudo, as the guide once said).
            // A copy of the binary beside it: the build directory may be one nobody can enter.
            chmod(directory, 0o755)
            let binary = directory + "/accounts"
            try FileManager.default.copyItem(atPath: Self.binary, toPath: binary)
            chmod(binary, 0o755)
            result = try run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c",
                                                  "cd '\(taken)' && exec '\(binary)' init"])
            XCTAssertTrue(result.stderr.contains("belongs to root (uid 0)"), result.stderr)
            XCTAssertTrue(result.stderr.contains("sudo chown nobody \(taken)"), result.stderr)
        } else {
            chmod(taken, 0o555)
            result = try run("/bin/sh", ["-c", "cd '\(taken)' && exec '\(Self.binary)' init"])
        }
        assertFails(result, 73, "cannot create the database accounts.sqlite3: the directory \(taken)")
        XCTAssertTrue(result.stderr.contains("mkdir -p ~/accounts"), result.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: taken), [], "nothing made")
        try? FileManager.default.removeItem(atPath: directory + "/accounts")
        assertFails(try accounts("init", "--database", "missing/accounts.sqlite3"), 73, "the directory \(directory)/missing does not exist")
    }

    func testAMisspelledVariableIsWarnedAboutWithTheNameMeant() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        let result = try accounts("purge-expired", "--dry-run", env: ["ACCOUNTS_PASSWORD_RESET_TIMOUT": "10"])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("accounts: warning: ACCOUNTS_PASSWORD_RESET_TIMOUT is not a setting accounts knows, and is ignored; did you mean ACCOUNTS_PASSWORD_RESET_TIMEOUT?"),
                      result.stderr)
        let far = try accounts("list", env: ["ACCOUNTS_ZZZ": "1"])
        XCTAssertTrue(far.stderr.contains("ACCOUNTS_ZZZ is not a setting accounts knows, and is ignored\n"), far.stderr)
        try "{}".write(toFile: directory + "/settings.json", atomically: true, encoding: .utf8)
        chmod(directory + "/settings.json", 0o600)
        XCTAssertEqual(try accounts("list", env: ["ACCOUNTS_SETTINGS": "settings.json"]).stderr, "", "ACCOUNTS_SETTINGS is known")
        // A misspelled key in the settings file stays an error (78), as before.
        try "{\"PASSWORD_RESET_TIMOUT\": 10}".write(toFile: directory + "/settings.json", atomically: true, encoding: .utf8)
        chmod(directory + "/settings.json", 0o600)
        assertFails(try accounts("list"), 78, "unknown setting PASSWORD_RESET_TIMOUT")
    }

    func testADryRunPrintsWhatItWouldDoEvenWhenQuiet() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        XCTAssertEqual(try accounts("register", "stale", "stale@example.com", "--no-send", "-q").status, 0)
        try sql("UPDATE users SET date_joined = '2020-01-01 00:00:00.000000'")
        let quiet = try accounts("purge-expired", "--dry-run", "-q")
        XCTAssertEqual(quiet.status, 0)
        XCTAssertEqual(quiet.stderr, "")
        XCTAssertEqual(quiet.stdoutLines.count, 1, quiet.stdout)
        XCTAssertTrue(quiet.stdoutLines[0].hasPrefix("1\tstale\tstale@example.com\t2020-01-01"), quiet.stdout)
        let chatty = try accounts("purge-expired", "--dry-run")
        XCTAssertEqual(chatty.stdoutLines, quiet.stdoutLines + ["would purge 1 account"])
        // Without --dry-run, --quiet means nothing at all on success: what cron mails is nothing.
        let done = try accounts("purge-expired", "--quiet")
        XCTAssertEqual(done.stdout + done.stderr, "")
        XCTAssertEqual(try sql("SELECT count(*) FROM purged_users"), ["1"])
    }

    func testAMistypedCommandGetsTheNameMeant() throws {
        assertFails(try accounts("lst"), 64, "'lst' is not an accounts command; did you mean 'list'?")
        assertFails(try accounts("purge-expire"), 64, "did you mean 'purge-expired'?")
        assertFails(try accounts("frobnicate"), 64, "'frobnicate' is not an accounts command (see 'accounts help')")
        XCTAssertEqual(try accounts("help", "list").status, 0)
    }

    /// Overviews are paragraphs the parser wraps once: every line of a paragraph is as full as
    /// the next word allows (a hand-wrapped line wrapped again leaves a short fragment).
    func testHelpIsWrappedOnceAndItsDefaultsSaidOnce() throws {
        let root = try accounts("--help").stdout
        let commands = root.components(separatedBy: "SUBCOMMANDS:\n").last!.split(separator: "\n")
            .compactMap { line -> String? in
                let words = line.split(separator: " ")
                return line.hasPrefix("  ") && !line.hasPrefix("   ") ? words.first.map(String.init) : nil
            }
        XCTAssertTrue(commands.contains("purge-expired") && commands.contains("serve"), root)
        for command in [nil] + commands.map(Optional.some) {
            let help = try accounts(command.map { ["help", $0] } ?? ["--help"])
            XCTAssertEqual(help.status, 0, help.stderr)
            let overview = help.stdout.components(separatedBy: "\nUSAGE:").first!
            for paragraph in overview.components(separatedBy: "\n\n") {
                let lines = paragraph.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                for (line, next) in zip(lines, lines.dropFirst()) where !line.hasPrefix(" ") && !next.hasPrefix(" ") && !next.isEmpty {
                    let nextWord = next.split(separator: " ").first.map(String.init) ?? ""
                    // The parser fills lines to 79 columns.
                    XCTAssertGreaterThanOrEqual(line.count + 1 + nextWord.count, 80,
                                         "\(command ?? "accounts"): '\(line)' could have held '\(nextWord)': wrapped twice")
                }
            }
            let flat = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            XCTAssertNil(flat.range(of: #"\(default [^)]*\)\. \(default:"#, options: .regularExpression), "\(command ?? "accounts"): a default said twice")
        }
    }

    func testAnOutboxMailCanBeReadAsItsReaderSeesIt() throws {
        let url = try initAndRegister("hong", "hong@example.com")
        let mail = try XCTUnwrap(outboxFiles().first)
        let read = try accounts("outbox", "read", "outbox/" + mail)
        XCTAssertEqual(read.status, 0, read.stderr)
        XCTAssertEqual(Array(read.stdoutLines.prefix(3)), ["From: webmaster@localhost", "To: hong@example.com",
                                                           "Subject: hong님의 회원가입 인증메일 입니다."])
        XCTAssertTrue(read.stdoutLines.contains(url), read.stdout)
        XCTAssertFalse(read.stdout.contains("\r"))
        assertFails(try accounts("outbox", "read", "-", stdin: "not a mail"), 65, "is not a mail accounts wrote")
    }

    func testCheckSMTPWithoutSMTPSettingsSaysWhichToAdd() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        let result = try accounts("check-smtp")
        assertFails(result, 78, "no SMTP server is configured: set EMAIL_HOST")
        XCTAssertTrue(result.stderr.contains("docs/smtp.md"), result.stderr)
        assertFails(try accounts("check-smtp", env: ["ACCOUNTS_EMAIL_BACKEND": "smtp"]), 78, "EMAIL_BACKEND is smtp but EMAIL_HOST is not set")
    }

    /// One crontab line, the same everywhere: help's lines are cron.md's, every line in the docs
    /// that runs accounts has the form `cd DIR && ACCOUNTS …` (the directory holding the settings,
    /// the path `command -v accounts` prints), and the line getting-started.md prints is the purge's.
    func testEveryCrontabLineIsTheOneHelpPrints() throws {
        let docs = Self.root.appendingPathComponent("docs")
        let text = { (name: String) in try String(contentsOf: docs.appendingPathComponent(name), encoding: .utf8) }
        let cron = try text("cron.md")
        var fromHelp: [String] = []
        for command in [["purge-expired"], ["outbox", "retry"]] {
            let help = try accounts(["help"] + command).stdout
            let lines = help.split(separator: "\n").map(String.init).filter { $0.contains(" * * *  cd DIR && ACCOUNTS ") }
            XCTAssertEqual(lines.count, 1, help)
            fromHelp += lines
        }
        for line in fromHelp {
            XCTAssertTrue(cron.contains("\n\(line)\n"), "cron.md lacks help's line: \(line)")
        }
        for name in ["cron.md", "outbox.md", "getting-started.md", "serve.md", "configuration.md"] {
            let page = try text(name)
            XCTAssertNil(page.range(of: "/srv/accounts"), "\(name) names /srv/accounts, which needs root to make")
            XCTAssertNil(page.range(of: "/usr/local/bin/accounts"), "\(name) names a path nothing installs to")
            for line in page.split(separator: "\n") where line.range(of: #"^[0-9*/,-]+ [0-9*/,-]+ \* \* \*  "#, options: .regularExpression) != nil {
                XCTAssertTrue(line.contains("  cd DIR && ACCOUNTS "), "\(name): \(line)")
            }
        }
        let guide = try text("getting-started.md")
        let purge = try XCTUnwrap(fromHelp.first)
        let printed = purge.replacingOccurrences(of: "cd DIR && ACCOUNTS", with: "cd $PWD && $(command -v accounts)")
        XCTAssertTrue(guide.contains("echo \"\(printed)\""), "getting-started.md does not print help's line")
    }
}
