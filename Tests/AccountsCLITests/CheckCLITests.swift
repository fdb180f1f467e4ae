import Foundation
import XCTest

/// `accounts check` on a good setup, then on each bad one: the finding's id and severity, the
/// exit code (78 on an error, 0 on warnings alone), and nothing changed.
final class CheckCLITests: CLITestCase {
    /// A deployment with nothing to say but notes: a strong key, the site's zone and Django,
    /// an https link on a real host, a sender of a real domain.
    let good = ["ACCOUNTS_TIME_ZONE": "Asia/Seoul", "ACCOUNTS_ACTIVATION_URL": "https://www.site.example.org/users/activate/{uid}/{token}/",
                "ACCOUNTS_DEFAULT_FROM_EMAIL": "Site <no-reply@site.example.org>", "ACCOUNTS_DJANGO_VERSION": "6.1"]

    /// (id, severity) of every finding, and the exit status.
    func check(_ arguments: [String] = [], env: [String: String] = [:]) throws -> (findings: [String: String], status: Int32) {
        let result = try accounts(["check", "--format", "json"] + arguments, env: good.merging(env) { $1 })
        let entries = try jsonArray(result.stdout)
        XCTAssertTrue(entries.allSatisfy { ($0["message"] as? String)?.isEmpty == false }, result.stdout)
        var findings: [String: String] = [:]
        for entry in entries { findings[entry["id"] as! String] = entry["severity"] as? String }
        return (findings, result.status)
    }

    func assertFinding(_ id: String, _ severity: String, _ arguments: [String] = [], env: [String: String] = [:],
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let (findings, status) = try check(arguments, env: env)
        XCTAssertEqual(findings["accounts." + id], severity, "\(id) in \(findings)", file: file, line: line)
        XCTAssertEqual(status, findings.values.contains("error") ? 78 : 0, "\(findings)", file: file, line: line)
    }

    override func setUpWithError() throws {
        try super.setUpWithError()
        XCTAssertEqual(try accounts("init", "-q").status, 0)
    }

    func testAGoodSetupHasOnlyNotesAndExitsZero() throws {
        let before = try dump()
        let (findings, status) = try check()
        XCTAssertEqual(status, 0)
        XCTAssertTrue(findings.values.allSatisfy { $0 == "info" }, "\(findings)")
        XCTAssertEqual(findings["accounts.I013"], "info", "the users table accounts made")
        let text = try accounts(["check"], env: good)
        XCTAssertEqual(text.status, 0)
        XCTAssertTrue(text.stdoutLines.allSatisfy { $0.hasPrefix("accounts.I") && $0.contains(" info: ") }, text.stdout)
        XCTAssertTrue(text.stderr.hasPrefix("accounts check: 0 errors, 0 warnings, "), text.stderr)
        XCTAssertEqual(try dump(), before, "check changes nothing")
    }

    func testSecretsAndKeys() throws {
        let secrets = directory + "/secrets.json"
        func write(_ object: [String: Any], mode: mode_t = 0o600) throws {
            try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: secrets))
            chmod(secrets, mode)
        }
        try write(["SECRET_KEY": String(repeating: "abcdefghij", count: 4) + "abcdefgh"]) // 48: under Django's 50
        try assertFinding("W009", "warning")
        try write(["SECRET_KEY": String(repeating: "x", count: 60)])
        try assertFinding("W009", "warning")
        try write(["SECRET_KEY": String(repeating: "k3y-", count: 15), "SECRET_KEY_FALLBACKS": ["short"]])
        try assertFinding("W025", "warning")
        try write(["SECRET_KEY": String(repeating: "k3y-", count: 15)], mode: 0o640)
        try assertFinding("E003", "error")
        try FileManager.default.removeItem(atPath: secrets)
        try assertFinding("E002", "error")
    }

    func testTheDatabase() throws {
        try sql("DELETE FROM grdb_migrations WHERE identifier LIKE 'v7:%'")
        try assertFinding("W012", "warning")
        XCTAssertEqual(try sql("SELECT count(*) FROM grdb_migrations WHERE identifier LIKE 'v7:%'"), ["0"], "check migrates nothing")
        chmod(directory + "/accounts.sqlite3", 0o644)
        try assertFinding("W014", "warning")
        try assertFinding("E010", "error", env: ["ACCOUNTS_DATABASE": "missing.sqlite3"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/missing.sqlite3"), "check creates nothing")
        try FileManager.default.createDirectory(atPath: directory + "/open", withIntermediateDirectories: true)
        chmod(directory + "/open", 0o777)
        XCTAssertEqual(try accounts(["init", "-q", "--database", "open/accounts.sqlite3"]).status, 0)
        try assertFinding("E015", "error", env: ["ACCOUNTS_DATABASE": "open/accounts.sqlite3"])
        // A users table Django's migrate made, adopted by accounts.
        try sql("""
            CREATE TABLE "users" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "password" varchar(128) NOT NULL, "last_login" datetime NULL,
              "user_id" varchar(150) NOT NULL UNIQUE, "email" varchar(254) NOT NULL, "is_active" bool NOT NULL, "level" text NULL,
              "department" text NULL, "date_joined" datetime NOT NULL, "activation_sent_at" datetime NULL, "activated_at" datetime NULL)
            """, database: "django.sqlite3")
        XCTAssertEqual(try accounts(["init", "-q", "--database", "django.sqlite3"]).status, 0)
        let (findings, _) = try check(env: ["ACCOUNTS_DATABASE": "django.sqlite3"])
        XCTAssertEqual(findings["accounts.I013"], "info")
        let text = try accounts(["check"], env: good.merging(["ACCOUNTS_DATABASE": "django.sqlite3"]) { $1 })
        XCTAssertTrue(text.stdout.contains("made by Django's migrate and is adopted"), text.stdout)
    }

    func testSettingsThatUsersSee() throws {
        let withoutZone = try accounts(["check", "--format", "json"], env: good.filter { $0.key != "ACCOUNTS_TIME_ZONE" })
        XCTAssertTrue(try jsonArray(withoutZone.stdout).contains { $0["id"] as? String == "accounts.W020" })
        try assertFinding("W021", "warning", env: ["ACCOUNTS_ACTIVATION_URL": "http://www.site.example.org/users/activate/{uid}/{token}/"])
        try assertFinding("W023", "warning", env: ["ACCOUNTS_ACTIVATION_URL": "https://localhost/users/activate/{uid}/{token}/"])
        // A template no link could be read back from: the settings themselves are refused.
        try assertFinding("E001", "error", env: ["ACCOUNTS_ACTIVATION_URL": "https://www.site.example.org/activate/{token}/{uid}/"])
        let query = try check(env: ["ACCOUNTS_ACTIVATION_URL": "https://www.site.example.org/activate?uid={uid}&token={token}"])
        XCTAssertFalse(query.findings.values.contains("error"), "the query form is a good template: \(query.findings)")
        try assertFinding("W030", "warning", env: ["ACCOUNTS_DEFAULT_FROM_EMAIL": "webmaster@localhost"])
        try assertFinding("W042", "warning", env: ["ACCOUNTS_TRUSTED_PROXIES": "0.0.0.0/0"])
        try assertFinding("W050", "warning", env: ["ACCOUNTS_PBKDF2_ITERATIONS": "1000000"])
        let unset = try accounts(["check", "--format", "json"], env: good.filter { $0.key != "ACCOUNTS_DJANGO_VERSION" })
        XCTAssertTrue(try jsonArray(unset.stdout).contains { $0["id"] as? String == "accounts.I051" })
        // A settings file others can write: nothing else is checked.
        try "{}".write(toFile: directory + "/settings.json", atomically: true, encoding: .utf8)
        chmod(directory + "/settings.json", 0o666)
        try assertFinding("E001", "error")
    }

    func testMail() throws {
        try assertFinding("E032", "error", env: ["ACCOUNTS_EMAIL_BACKEND": "smtp"])
        let gmail = ["ACCOUNTS_EMAIL_HOST": "smtp.gmail.com", "ACCOUNTS_EMAIL_PORT": "587", "ACCOUNTS_EMAIL_USE_TLS": "true"]
        try assertFinding("W033", "warning", env: gmail)
        try assertFinding("W034", "warning", env: gmail.merging(["ACCOUNTS_EMAIL_USE_TLS": "false", "ACCOUNTS_EMAIL_USE_SSL": "true"]) { $1 })
        try assertFinding("W035", "warning", env: ["ACCOUNTS_EMAIL_HOST": "relay.site.example.org"])
        try assertFinding("E035", "error", env: ["ACCOUNTS_EMAIL_HOST": "relay.site.example.org", "ACCOUNTS_EMAIL_HOST_USER": "me"])
        try assertFinding("E036", "error", env: gmail.merging(["ACCOUNTS_EMAIL_HOST_USER": "me@site.example.org"]) { $1 })
        try FileManager.default.createDirectory(atPath: directory + "/outbox", withIntermediateDirectories: true)
        chmod(directory + "/outbox", 0o755)
        try assertFinding("W038", "warning")
        chmod(directory + "/outbox", 0o777)
        try assertFinding("E039", "error")
        chmod(directory + "/outbox", 0o700)
        // --smtp connects: to a real server (aiosmtpd), and to a port nobody listens on.
        let server = try SMTPTestServer(python: try testPython(), security: "plain", certificate: nil, user: "", password: "", in: directory)
        defer { server.stop() }
        let local = ["ACCOUNTS_EMAIL_HOST": "127.0.0.1", "ACCOUNTS_EMAIL_PORT": String(server.port)]
        try assertFinding("I037", "info", ["--smtp"], env: local)
        XCTAssertEqual(server.received, [], "--smtp sends nothing")
        try assertFinding("E037", "error", ["--smtp"], env: ["ACCOUNTS_EMAIL_HOST": "127.0.0.1", "ACCOUNTS_EMAIL_PORT": "9"])
    }

    /// One valid in January 2020 only: openssl req cannot date one in the past, openssl ca can.
    func expiredCertificate() throws -> (String, String) {
        let ca = directory + "/ca"
        try FileManager.default.createDirectory(atPath: ca, withIntermediateDirectories: true)
        try "".write(toFile: ca + "/index.txt", atomically: true, encoding: .utf8)
        try "01\n".write(toFile: ca + "/serial", atomically: true, encoding: .utf8)
        try """
            [ca]
            default_ca = local
            [local]
            database = \(ca)/index.txt
            new_certs_dir = \(ca)
            serial = \(ca)/serial
            default_md = sha256
            policy = any
            [any]
            commonName = supplied
            """.write(toFile: ca + "/ca.cnf", atomically: true, encoding: .utf8)
        let cert = ca + "/old.cert.pem", key = ca + "/old.key.pem"
        for arguments in [["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", ca + "/old.csr",
                           "-subj", "/CN=site.example.org"],
                          ["ca", "-batch", "-selfsign", "-config", ca + "/ca.cnf", "-keyfile", key, "-in", ca + "/old.csr", "-out", cert,
                           "-startdate", "20200101000000Z", "-enddate", "20200201000000Z"]] {
            let made = try run("/usr/bin/openssl", arguments)
            XCTAssertEqual(made.status, 0, made.stderr)
        }
        chmod(key, 0o600)
        return (cert, key)
    }

    func testServesFilesAndLimits() throws {
        func certificate(_ name: String, days: Int) throws -> (String, String) {
            let cert = directory + "/\(name).cert.pem", key = directory + "/\(name).key.pem"
            let made = try run("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                                    "-keyout", key, "-out", cert, "-days", String(days), "-subj", "/CN=site.example.org"])
            XCTAssertEqual(made.status, 0, made.stderr)
            chmod(key, 0o600)
            return (cert, key)
        }
        let (cert, key) = try certificate("good", days: 90)
        let (_, otherKey) = try certificate("other", days: 90)
        let (soonCert, soonKey) = try certificate("soon", days: 3)
        let (oldCert, oldKey) = try expiredCertificate()
        XCTAssertFalse(try check(["--tls-cert", cert, "--tls-key", key]).findings.keys.contains { $0.hasPrefix("accounts.E04") || $0.hasPrefix("accounts.W04") })
        try assertFinding("W040", "warning", ["--tls-cert", soonCert, "--tls-key", soonKey])
        try assertFinding("E040", "error", ["--tls-cert", oldCert, "--tls-key", oldKey])
        try assertFinding("E041", "error", ["--tls-cert", cert, "--tls-key", otherKey])
        chmod(key, 0o644)
        try assertFinding("E041", "error", ["--tls-cert", cert, "--tls-key", key])
        let capped = try run("/usr/bin/prlimit", ["--nofile=256:256", Self.binary, "check", "--format", "json", "--max-connections", "5000"],
                             env: good)
        XCTAssertTrue(try jsonArray(capped.stdout).contains { $0["id"] as? String == "accounts.W043" }, capped.stdout)
        XCTAssertEqual(capped.status, 0)
    }
}
