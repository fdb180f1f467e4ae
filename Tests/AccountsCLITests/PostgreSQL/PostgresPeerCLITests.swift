import Foundation
import XCTest

/// The database password against a machine in the middle (Tests/postgres/peer.py): it answers
/// "no TLS" and asks for the password in clear. On another machine's address it must never get
/// it unless the URI says sslmode=… on purpose (then a warning); and no message may echo a
/// password found anywhere in a URI.
final class PostgresPeerCLITests: CLITestCase {
    var peerLog = ""
    var peer: HelperServer?

    /// An IPv4 address of this machine that is not loopback: to libpq, "another machine".
    func otherMachineAddress() throws -> String {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { throw XCTSkip("getifaddrs failed") }
        defer { freeifaddrs(list) }
        var entry = list
        while let current = entry {
            defer { entry = current.pointee.ifa_next }
            guard let address = current.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) else { continue }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            getnameinfo(address, socklen_t(MemoryLayout<sockaddr_in>.size), &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST)
            let text = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !text.hasPrefix("127.") { return text }
        }
        if ProcessInfo.processInfo.environment["CI"] != nil { XCTFail("CI must run this: no IPv4 address but loopback") }
        throw XCTSkip("SKIPPED LOUDLY: this machine has no IPv4 address but loopback, so no 'other machine' to test against")
    }

    func startPeer(host: String) throws -> Int {
        peerLog = directory + "/peer.log"
        _ = FileManager.default.createFile(atPath: peerLog, contents: nil)
        let port = SMTPTestServer.freePort()
        peer = try HelperServer(python: try testPython(), script: "Tests/postgres/peer.py",
                                arguments: ["--host", host, "--port", String(port), "--log", peerLog])
        addTeardownBlock { [weak self] in self?.peer?.stop() }
        return port
    }

    func peerEvents() throws -> [String] {
        try String(contentsOfFile: peerLog, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func writeSecrets(password: String) throws {
        XCTAssertEqual(try accounts("init", "-q", "--database", "unused.sqlite3").status, 0)
        let path = directory + "/secrets.json"
        var secrets = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        secrets["DATABASE_PASSWORD"] = password
        try JSONSerialization.data(withJSONObject: secrets).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o600)
    }

    func testThePasswordNeverGoesToAnotherMachineUnverified() throws {
        let address = try otherMachineAddress()
        let port = try startPeer(host: address)
        try writeSecrets(password: "pw-from-secrets")
        let uri = "postgresql://accounts@\(address):\(port)/site"

        // Nobody asked for less: verified TLS is required, the peer's "no TLS" ends it there.
        let refused = try accounts("list", "--database", uri)
        assertFails(refused, 78, "cannot connect to postgresql://accounts@\(address):\(port)/site")
        XCTAssertTrue(refused.stderr.contains("sslmode=verify-full"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("sslrootcert"), refused.stderr)
        let events = try peerEvents()
        XCTAssertFalse(events.contains { $0.hasPrefix("PASSWORD") || $0.hasPrefix("STARTUP") }, events.joined(separator: "\n"))
        XCTAssertEqual(try accounts("list", "--database", uri, env: ["PGPASSWORD": "pw-from-env"]).status, 78, "PGPASSWORD: the same")
        XCTAssertFalse(try peerEvents().contains { $0.hasPrefix("PASSWORD") })

        // Asked for on purpose in the URI (or PGSSLMODE): as asked, with one warning.
        for (extra, env) in [("?sslmode=prefer", [String: String]()), ("?sslmode=disable", [:]), ("", ["PGSSLMODE": "allow"])] {
            let chosen = try accounts("list", "--database", uri + extra, env: env)
            XCTAssertEqual(chosen.status, 66, chosen.stderr)
            XCTAssertEqual(chosen.stderr.components(separatedBy: "does not check the server's certificate, so a machine in the middle can read the database password").count, 2,
                           chosen.stderr)
        }
        // (sslmode=allow tries twice: without TLS, then with.)
        let sent = try peerEvents().filter { $0.hasPrefix("PASSWORD") }
        XCTAssertEqual(Set(sent), ["PASSWORD pw-from-secrets"])
        XCTAssertGreaterThanOrEqual(sent.count, 3)
    }

    func testThisMachineNeedsNoTLSAndNoMessageEchoesAPassword() throws {
        let port = try startPeer(host: "127.0.0.1")
        try writeSecrets(password: "pw-from-secrets")
        let local = try accounts("list", "--database", "postgresql://accounts@127.0.0.1:\(port)/site")
        assertFails(local, 66, "database \"site\" does not exist")
        XCTAssertFalse(local.stderr.contains("warning"), local.stderr)
        XCTAssertEqual(try peerEvents().filter { $0.hasPrefix("PASSWORD") }, ["PASSWORD pw-from-secrets"], "loopback is this machine")

        // A password inside a nested dbname: refused from argv, never echoed from the environment.
        let nested = "postgresql://accounts@127.0.0.1:\(port)/?dbname=host%3Dx%20password%3Dpw1"
        let argv = try accounts("list", "--database", nested)
        assertFails(argv, 64, "a password in the URI would be visible to every user of this machine")
        XCTAssertFalse(argv.stderr.contains("pw1"), argv.stderr)
        let fromEnvironment = try accounts("list", env: ["ACCOUNTS_DATABASE": nested])
        XCTAssertEqual(fromEnvironment.status, 66, fromEnvironment.stderr)
        XCTAssertTrue(try peerEvents().contains { $0.contains("password=pw1") }, "the server did get the name, and echoed it")
        XCTAssertFalse(fromEnvironment.stderr.contains("pw1"), fromEnvironment.stderr)
        for uri in ["postgresql://accounts@127.0.0.1:\(port)/site?sslpassword=pw2", "postgresql://accounts@127.0.0.1:\(port)/site?password=pw3"] {
            let result = try accounts("list", "--database", uri)
            assertFails(result, 64, "a password in the URI would be visible")
            XCTAssertFalse(result.stderr.contains("pw2") || result.stderr.contains("pw3"), result.stderr)
        }
        let malformed = try accounts("list", "--database", "postgresql://h/d?password=pw4&&=")
        XCTAssertFalse(malformed.stderr.contains("pw4"), malformed.stderr)
    }
}
