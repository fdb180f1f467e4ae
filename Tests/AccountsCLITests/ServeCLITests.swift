import Foundation
import XCTest

/// `accounts serve` through the built binary: the Python suites in Tests/serve talk real HTTP to
/// it (test_http.py) and drive Debian's headless Chromium through it (test_browser.py); each
/// starts and stops its own servers. Python's unittest names every case in the failure message.
final class ServeCLITests: CLITestCase {
    func testOverHTTP() throws {
        try runServeSuite("test_http.py")
    }

    func testInARealBrowser() throws {
        try runServeSuite("test_browser.py")
    }

    /// What the second hostile review did: slow clients, stalled relays, scrapers in a loop,
    /// near-miss paths, spread-out clients (issue 21).
    func testAgainstAHostileReview() throws {
        try runServeSuite("test_hostile.py")
    }

    /// Mistakes stop `serve` before it listens, with one line and the usual exit codes.
    func testBadSettingsAndOptionsAreRefusedBeforeListening() throws {
        XCTAssertEqual(try accounts("init", "--quiet").status, 0)
        assertFails(try accounts("serve", "--listen", "localhost"), 64, "--listen 'localhost' is not host:port")
        assertFails(try accounts("serve", "--threads", "0"), 64, "--threads must be from 1 to 256")
        assertFails(try accounts("serve", env: ["ACCOUNTS_ACTIVATION_URL": "https://example.com/activate/{token}/{uid}/"]),
                    78, "puts {token} before {uid}")
        assertFails(try accounts("serve", env: ["ACCOUNTS_LANGUAGE_CODE": "fr"]), 78, "ACCOUNTS_LANGUAGE_CODE: no pages in 'fr' (use one of ko, en)")
        assertFails(try accounts("serve", env: ["ACCOUNTS_TRUSTED_PROXIES": "10.0.0.0/8,proxy.example"]), 78,
                    "ACCOUNTS_TRUSTED_PROXIES: 'proxy.example' is not an IP address or network")
        assertFails(try accounts("serve", env: ["ACCOUNTS_ACTIVATION_SUCCESS_URL": "javascript:alert(1)"]), 78,
                    "ACCOUNTS_ACTIVATION_SUCCESS_URL must be an http(s) URL or a path starting with /")
        let templates = directory + "/pages"
        try FileManager.default.createDirectory(atPath: templates, withIntermediateDirectories: true)
        try "{{#broken}}".write(toFile: templates + "/page.html", atomically: true, encoding: .utf8)
        assertFails(try accounts("serve", "--templates", templates), 78, "template page.html does not parse")
        try FileManager.default.removeItem(atPath: templates + "/page.html")
        try "p{color:red}{{user_id}}".write(toFile: templates + "/style.css", atomically: true, encoding: .utf8)
        assertFails(try accounts("serve", "--templates", templates), 78, "style.css holds '{{'")
        // A port someone else holds: unavailable (69), said at once.
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, length) } }
        XCTAssertEqual(listen(holder, 1), 0)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(holder, $0, &length) } }
        let port = UInt16(bigEndian: address.sin_port)
        let result = try accounts("serve", "--listen", "127.0.0.1:\(port)")
        XCTAssertEqual(result.status, 69, result.stderr)
        XCTAssertTrue(result.stderr.hasPrefix("accounts: cannot serve on 127.0.0.1:\(port)"), result.stderr)
    }
}

/// The flow on PostgreSQL: every POST, the 20 racing ones too, is one conditional write there.
final class PostgresServeCLITests: PostgresCLITestCase {
    func testCoreFlowOnPostgreSQL() throws {
        try runServeSuite("test_http.py", ["CoreFlow", "QueryStringLinks", "PostgresOutage"], env: ["ACCOUNTS_TEST_DATABASE": uri])
    }

    /// A lock held elsewhere, killed connections, a stalled relay, the resend rules: on PostgreSQL.
    func testAgainstAHostileReviewOnPostgreSQL() throws {
        try runServeSuite("test_hostile.py", ["PostgresLocks", "SlowRelay", "NewLinks", "RateLimit"], env: ["ACCOUNTS_TEST_DATABASE": uri])
    }
}

extension CLITestCase {
    /// Runs one of Tests/serve's suites (optionally some of its classes) and fails with its report.
    func runServeSuite(_ file: String, _ names: [String] = [], env: [String: String] = [:]) throws {
        let script = Self.root.appendingPathComponent("Tests/serve/\(file)").path
        let screenshots = Self.root.appendingPathComponent(".build/screenshots").path
        let result = try run(try testPython(), [script] + names,
                             env: env.merging(["ACCOUNTS_BIN": Self.binary, "SCREENSHOT_DIR": screenshots, "PYTHONDONTWRITEBYTECODE": "1"]) { $1 })
        if result.stderr.contains("SKIPPED LOUDLY") {
            if ProcessInfo.processInfo.environment["CI"] != nil { XCTFail("CI must run \(file):\n\(result.stderr)") }
            throw XCTSkip("\(file) skipped: \(result.stderr)")
        }
        XCTAssertEqual(result.status, 0, "\(file):\n\(result.stderr)")
        XCTAssertTrue(result.stderr.contains("\nOK"), "\(file):\n\(result.stderr)")
    }
}
