import AccountsCore
import Foundation
import XCTest

/// The live cross-check with Django itself (installed from PyPI into .venv by `make test`):
/// randomized tokens, uids and password hashes verified in both directions, then one users
/// table shared by the built `accounts` binary and Django's ORM.
final class DjangoCrossCheckTests: CLITestCase {
    static let script = root.appendingPathComponent("Tests/django/crosscheck.py").path

    var python = ""
    let secretKey = "cross-check-key-\(UUID().uuidString)"
    let fallback = "cross-check-old-key-ü"

    override func setUpWithError() throws {
        try super.setUpWithError()
        python = try testPython()
    }

    var djangoEnvironment: [String: String] {
        ["DJ_SECRET_KEY": secretKey, "DJ_FALLBACKS": "[\"\(fallback)\"]", "DJ_TIME_ZONE": "Asia/Seoul", "DJ_TIMEOUT": "259200"]
    }

    /// The Django run: .venv's 5.2, or with `djangoPath` another (Django 6.1's wheel).
    var djangoPath: String?

    func django(_ arguments: [String], stdin: String? = nil) throws -> Run {
        var env = djangoEnvironment
        if let djangoPath { env["DJ_DJANGO_PATH"] = djangoPath }
        let result = try run(python, [Self.script] + arguments, stdin: stdin, env: env)
        XCTAssertEqual(result.status, 0, "Django side failed: \(result.stderr)")
        return result
    }

    /// Django 6.1's wheel, unpacked into .venv by `make test` (it needs Python 3.12; its hashers,
    /// tokens and http modules import on 3.11 with one shim, djangoenv.use_django_from).
    func django61() throws -> String {
        let path = ProcessInfo.processInfo.environment["ACCOUNTS_TEST_DJANGO61"] ?? Self.root.appendingPathComponent(".venv/django-6.1").path
        guard FileManager.default.fileExists(atPath: path + "/django/__init__.py") else {
            if ProcessInfo.processInfo.environment["CI"] != nil { XCTFail("CI must cross-check Django 6.1: no wheel at \(path)") }
            throw XCTSkip("SKIPPED LOUDLY: no Django 6.1 at \(path); `make test` unpacks it there")
        }
        return path
    }

    struct Subject: TokenSubject {
        let id: Int64
        let password: String
        let lastLogin: UTCDateTime?
        let email: String
    }

    func randomText(_ maxLength: Int) -> String {
        let alphabet = Array("abcXYZ019!@#$%^&*()_+-=. 가나다😀ü\\\"'")
        return String((0..<Int.random(in: 0...maxLength)).map { _ in alphabet.randomElement()! })
    }

    func testRandomizedTokensUIDsAndHashesInBothDirections() throws {
        try randomizedRoundTrip()
    }

    /// The same against Django 6.1 (whose PBKDF2 default is 1,500,000), and what DJANGO_VERSION
    /// does: the passwords accounts hashes for a 6.1 site are at 6.1's own work factor, so that
    /// 6.1 has nothing to rehash; without it they are at 5.2's, and 6.1 rehashes at the next login.
    func testDjango61AcceptsWhatAccountsMakesAndTheOtherWay() throws {
        djangoPath = try django61()
        try randomizedRoundTrip()
        try JSONSerialization.data(withJSONObject: ["SECRET_KEY": secretKey, "SECRET_KEY_FALLBACKS": [fallback]])
            .write(to: URL(fileURLWithPath: directory + "/secrets.json"))
        chmod(directory + "/secrets.json", 0o600)
        environment["ACCOUNTS_TIME_ZONE"] = "Asia/Seoul"
        let db = directory + "/accounts.sqlite3"
        XCTAssertEqual(try accounts("register", "six", "six@example.com", "--password-stdin", stdin: "correct horse\n",
                                    env: ["ACCOUNTS_DJANGO_VERSION": "6.1"]).status, 0)
        XCTAssertEqual(try accounts("register", "five", "five@example.com", "--password-stdin", stdin: "correct horse\n").status, 0)
        XCTAssertEqual(try sql("SELECT user_id, substr(password, 1, 22) FROM users ORDER BY id"),
                       ["six|pbkdf2_sha256$1500000$", "five|pbkdf2_sha256$1000000$"])
        XCTAssertEqual(try django(["db", db, "must-update", "six"]).stdout, "false\n", "6.1's own work factor")
        XCTAssertEqual(try django(["db", db, "must-update", "five"]).stdout, "true\n", "5.2's")
        for user in ["six", "five"] {
            XCTAssertEqual(try django(["db", db, "check-password", user], stdin: "correct horse").stdout, "true\n", user)
        }
        // A successful check is a login to Django: it rehashed five's password at its own count.
        XCTAssertEqual(try sql("SELECT user_id, substr(password, 1, 22) FROM users ORDER BY id"),
                       ["six|pbkdf2_sha256$1500000$", "five|pbkdf2_sha256$1500000$"])
        let link = try accounts("send-activation", "six", "--force").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(try django(["db", db, "check-token", "six", String(link.split(separator: "/").last!)]).stdout, "true\n",
                       "6.1's PasswordResetTokenGenerator accepts the link")
        assertFails(try accounts("list", env: ["ACCOUNTS_DJANGO_VERSION": "3.2"]), 78, "DJANGO_VERSION: Django '3.2' is not one accounts knows")
    }

    func randomizedRoundTrip() throws {
        let generator = TokenGenerator(secretKey: secretKey, fallbacks: [fallback], timeZone: TimeZone(identifier: "Asia/Seoul")!)
        var tokens: [[String: Any]] = []
        var uids: [[String: Any]] = []
        var passwords: [[String: Any]] = []
        for _ in 0..<200 {
            let lastLogin: UTCDateTime? = Bool.random() ? nil
                : UTCDateTime(epochSeconds: Int64.random(in: 978_307_200...2_000_000_000), microseconds: Int32.random(in: 0..<1_000_000))
            let subject = Subject(id: Int64.random(in: 1...Int64.max), password: randomText(60), lastLogin: lastLogin,
                                  email: randomText(20) + "@example.com")
            let timestamp = Int64.random(in: 0...(1 << 33))
            tokens.append(["id": subject.id, "password": subject.password, "last_login": lastLogin?.storageText ?? NSNull(),
                           "email": subject.email, "timestamp": timestamp,
                           "token": generator.makeToken(for: subject, timestamp: timestamp)])
            uids.append(["id": subject.id, "uid": UIDCodec.encode(subject.id)])
        }
        for iterations in [1, 1000, PasswordHasher.defaultIterations] {
            let password = randomText(30)
            passwords.append(["password": password, "encoded": PasswordHasher(iterations: iterations).hash(password)])
        }
        let input = try JSONSerialization.data(withJSONObject: ["tokens": tokens, "uids": uids, "passwords": passwords])
        let result = try django(["roundtrip"], stdin: String(decoding: input, as: UTF8.self))
        let answer = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])

        // Django accepts what accounts made: valid at issue, valid at the last second, expired after.
        let tokenVerdicts = try XCTUnwrap(answer["token_ok"] as? [[Bool]])
        XCTAssertEqual(tokenVerdicts.count, 200)
        XCTAssertTrue(tokenVerdicts.allSatisfy { $0 == [true, true, false] }, "\(tokenVerdicts.filter { $0 != [true, true, false] })")
        XCTAssertEqual(answer["uid_ok"] as? [Bool], Array(repeating: true, count: 200))
        XCTAssertEqual(answer["password_ok"] as? [Bool], [true, true, true])

        // accounts accepts what Django made.
        let made = try XCTUnwrap(answer["django"] as? [String: Any])
        let djangoTokens = try XCTUnwrap(made["tokens"] as? [[String: Any]])
        XCTAssertEqual(djangoTokens.count, 200)
        for item in djangoTokens {
            let subject = Subject(id: (item["id"] as! NSNumber).int64Value, password: item["password"] as! String,
                                  lastLogin: (item["last_login"] as? String).flatMap(UTCDateTime.init(storageText:)),
                                  email: item["email"] as! String)
            let timestamp = (item["timestamp"] as! NSNumber).int64Value
            let keyIndex = (item["key_index"] as! NSNumber).intValue
            XCTAssertEqual(generator.makeToken(for: subject, timestamp: timestamp, keyIndex: keyIndex), item["token"] as? String)
            // Checked at the wall-clock moment the token claims (Seoul time, so nine hours earlier in UTC).
            let issued = UTCDateTime(epochSeconds: timestamp + 978_307_200 - 9 * 3600)
            if timestamp + 978_307_200 < 4_000_000_000 {
                XCTAssertEqual(generator.check(item["token"] as! String, for: subject, at: issued),
                               .valid(keyIndex: keyIndex, issuedAt: timestamp))
            }
        }
        for item in try XCTUnwrap(made["uids"] as? [[String: Any]]) {
            XCTAssertEqual(UIDCodec.decode(item["uid"] as! String), (item["id"] as! NSNumber).int64Value)
        }
        for item in try XCTUnwrap(made["passwords"] as? [[String: Any]]) {
            XCTAssertTrue(PasswordHasher().verify(item["password"] as! String, against: item["encoded"] as! String))
        }
    }

    func testOneUsersTableSharedWithDjangosORM() throws {
        try JSONSerialization.data(withJSONObject: ["SECRET_KEY": secretKey, "SECRET_KEY_FALLBACKS": [fallback]])
            .write(to: URL(fileURLWithPath: directory + "/secrets.json"))
        chmod(directory + "/secrets.json", 0o600)
        environment["ACCOUNTS_TIME_ZONE"] = "Asia/Seoul"
        let db = directory + "/accounts.sqlite3"

        // accounts registers; Django reads the row and accepts the token and the password.
        let registered = try accounts("register", "hong", "hong@Example.com", "--password-stdin", stdin: "pa55 word 비번\n")
        XCTAssertEqual(registered.status, 0, registered.stderr)
        let token = String(registered.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "/").last!)
        XCTAssertEqual(try django(["db", db, "check-token", "hong", token]).stdout, "true\n")
        XCTAssertEqual(try django(["db", db, "check-password", "hong"], stdin: "pa55 word 비번").stdout, "true\n")
        XCTAssertEqual(try django(["db", db, "check-password", "hong"], stdin: "wrong").stdout, "false\n")
        let shown = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try django(["db", db, "show", "hong"]).stdout.utf8)) as? [String: Any])
        XCTAssertEqual(shown["email"] as? String, "hong@example.com")
        XCTAssertEqual(shown["is_active"] as? Bool, false)
        XCTAssertEqual(shown["department"] as? String, "컴퓨터공학부")
        XCTAssertTrue((shown["date_joined"] as? String)?.hasSuffix("+00:00") == true, "Django reads it as aware UTC")
        XCTAssertNotNil(shown["activation_sent_at"] as? String)

        // accounts activates; Django now sees an active user with last_login, and the link is used up for both.
        XCTAssertEqual(try accounts("activate", registered.stdout).status, 0)
        let active = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try django(["db", db, "show", "hong"]).stdout.utf8)) as? [String: Any])
        XCTAssertEqual(active["is_active"] as? Bool, true)
        XCTAssertEqual(active["last_login"] as? String, active["activated_at"] as? String)
        XCTAssertEqual(try django(["db", db, "check-token", "hong", token]).stdout, "false\n", "single-use in Django too")

        // Django registers (ORM, its own password hash); accounts lists it and activates Django's link.
        let created = try django(["db", db, "create-user", "kim", "kim@example.com"], stdin: "django-made password")
        XCTAssertEqual(created.stdout, "2\n")
        let listed = try jsonArray(try accounts("list", "--state", "pending", "--format", "json").stdout)
        XCTAssertEqual(listed.map { $0["user_id"] as? String }, ["kim"])
        let link = try django(["db", db, "make-link", "kim"]).stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        XCTAssertEqual(link[0], "Mg")
        let activated = try accounts("activate", "https://django.example/users/activate/\(link[0])/\(link[1])/")
        XCTAssertEqual(activated.status, 0, activated.stderr)
        XCTAssertEqual(try django(["db", db, "check-token", "kim", link[1]]).stdout, "false\n")
        let stored = try XCTUnwrap(try sql("SELECT password FROM users WHERE user_id = 'kim'").first)
        XCTAssertTrue(PasswordHasher().verify("django-made password", against: stored))
    }

    /// The activation view docs/django.md shows (Tests/django/sharedsite/views.py, the same code):
    /// a GET, as a mail scanner makes, changes nothing; the POST activates once; and an account
    /// purged between the two is not brought back (a plain save() would INSERT it again).
    /// Django owns the schema (managed = True): its migrate makes users in the SQLite file, and
    /// accounts adopts it without touching its definition; a table it cannot use is refused by name.
    func testATableMadeByDjangosMigrateIsAdopted() throws {
        let db = directory + "/accounts.sqlite3"
        let migrated = try run(python, [Self.script, "db", db, "migrate"], env: djangoEnvironment.merging(["DJ_MANAGED": "1"]) { $1 })
        XCTAssertEqual(migrated.status, 0, migrated.stderr)
        let definition = "SELECT sql FROM sqlite_master WHERE name = 'users'"
        let before = try sql(definition)
        XCTAssertTrue(before.joined().contains("\"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT"), before.joined())
        let adopted = try accounts("init")
        XCTAssertEqual(adopted.status, 0, adopted.stderr)
        XCTAssertEqual(try sql(definition), before, "Django's table as Django made it")
        XCTAssertEqual(try sql("SELECT count(*) FROM sqlite_master WHERE name IN ('audit_log', 'purged_users', 'outbox', 'users_email_nocase')"), ["4"])
        let link = try XCTUnwrap(try accounts("register", "hong", "hong@example.com").stdoutLines.first)
        let shown = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try django(["db", db, "show", "hong"]).stdout.utf8)) as? [String: Any])
        XCTAssertEqual(shown["email"] as? String, "hong@example.com")
        XCTAssertEqual(try accounts("activate", link).status, 0)

        // Refused by name, before anything is added.
        let other = "other.sqlite3"
        try sql("CREATE TABLE users (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, password varchar(128) NOT NULL, user_id varchar(150) NOT NULL UNIQUE, email varchar(254) NOT NULL)", database: other)
        chmod(directory + "/" + other, 0o600)
        assertFails(try accounts("init", "--database", other), 78, "the users table (made by another program) has no is_active column")
        XCTAssertEqual(try sql("SELECT count(*) FROM sqlite_master WHERE type = 'table'", database: other), ["2"], "users and sqlite_sequence only")
        let third = "third.sqlite3"
        try sql("CREATE TABLE users (id integer PRIMARY KEY, password text NOT NULL, last_login datetime, user_id text NOT NULL, email text NOT NULL, is_active bool NOT NULL, level text, department text, date_joined datetime NOT NULL, activation_sent_at datetime, activated_at datetime)", database: third)
        chmod(directory + "/" + third, 0o600)
        assertFails(try accounts("init", "--database", third), 78, "users.id is not INTEGER PRIMARY KEY AUTOINCREMENT")
    }

    func testTheDocumentedDjangoViewConfirmsByPOSTAndNeverResurrectsAPurgedAccount() throws {
        let documented = try String(contentsOf: Self.root.appendingPathComponent("docs/django.md"), encoding: .utf8)
        let view = try String(contentsOf: Self.root.appendingPathComponent("Tests/django/sharedsite/views.py"), encoding: .utf8)
        XCTAssertTrue(documented.contains("```python\n" + view + "```"), "docs/django.md shows sharedsite/views.py as it is")

        try JSONSerialization.data(withJSONObject: ["SECRET_KEY": secretKey]).write(to: URL(fileURLWithPath: directory + "/secrets.json"))
        chmod(directory + "/secrets.json", 0o600)
        environment["ACCOUNTS_TIME_ZONE"] = "Asia/Seoul"
        let db = directory + "/accounts.sqlite3"
        let link = try initAndRegister().split(separator: "/").suffix(2).map(String.init)

        XCTAssertTrue(try django(["db", db, "view", "GET"] + link).stdout.hasPrefix("200 <form method=\"post\">"))
        XCTAssertEqual(try sql("SELECT is_active, last_login IS NULL FROM users"), ["0|1"], "a GET changes nothing")
        XCTAssertEqual(try django(["db", db, "view", "POST"] + link).stdout, "200 메일 인증이 완료 되었습니다\n")
        XCTAssertEqual(try sql("SELECT is_active, last_login = activated_at FROM users"), ["1|1"])
        XCTAssertTrue(try django(["db", db, "view", "POST"] + link).stdout.hasPrefix("400 "), "used up")

        // Purged between the confirmation page and the click: refused, and nothing comes back.
        let kim = try initAndRegister("kim", "kim@example.com").split(separator: "/").suffix(2).map(String.init)
        XCTAssertTrue(try django(["db", db, "view", "GET"] + kim).stdout.hasPrefix("200 "))
        try sql("DELETE FROM users WHERE user_id = 'kim'")
        XCTAssertTrue(try django(["db", db, "view", "POST"] + kim).stdout.hasPrefix("400 "))
        XCTAssertEqual(try sql("SELECT count(*) FROM users WHERE user_id = 'kim'"), ["0"])
    }
}
