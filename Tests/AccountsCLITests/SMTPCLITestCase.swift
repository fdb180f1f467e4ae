import Foundation
import XCTest

/// Tests that drive the binary against a real SMTP server (aiosmtpd, Tests/smtp/server.py) with
/// real TLS: the environment points `accounts` at the server the test starts.
class SMTPCLITestCase: CLITestCase {
    let user = "sender@example.com"
    let password = "smtp-Pa55-never-shown"
    var python = ""
    var servers: [SMTPTestServer] = []

    override func setUpWithError() throws {
        try super.setUpWithError()
        python = try testPython()
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        try writeSecrets(password: password)
        environment["ACCOUNTS_DEFAULT_FROM_EMAIL"] = "회원관리 <\(user)>"
        environment["ACCOUNTS_EMAIL_HOST"] = "localhost"
        environment["ACCOUNTS_EMAIL_HOST_USER"] = user
        environment["ACCOUNTS_EMAIL_SSL_CAFILE"] = TestCertificates.shared.ca
        environment["ACCOUNTS_EMAIL_TIMEOUT"] = "10"
    }

    override func tearDown() {
        servers.forEach { $0.stop() }
        super.tearDown()
    }

    func writeSecrets(password: String) throws {
        let path = directory + "/secrets.json"
        let object: [String: Any] = ["SECRET_KEY": "smtp-test-key-long-enough-for-django-W009-0123456789", "EMAIL_HOST_PASSWORD": password]
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o600)
    }

    /// Starts a server and points the environment at it.
    func server(_ security: String, behaviour: String = "normal",
                certificate: (cert: String, key: String)? = TestCertificates.shared.localhost) throws -> SMTPTestServer {
        let server = try SMTPTestServer(python: python, security: security, behaviour: behaviour, certificate: certificate,
                                        user: user, password: password, in: directory)
        servers.append(server)
        environment["ACCOUNTS_EMAIL_PORT"] = String(server.port)
        environment["ACCOUNTS_EMAIL_USE_TLS"] = security == "starttls" ? "true" : "false"
        environment["ACCOUNTS_EMAIL_USE_SSL"] = security == "ssl" ? "true" : "false"
        return server
    }

    func assertNoPassword(_ runs: Run..., file: StaticString = #filePath, line: UInt = #line) {
        for run in runs {
            XCTAssertFalse((run.stdout + run.stderr).contains(password), "the SMTP password leaked", file: file, line: line)
            XCTAssertFalse((run.stdout + run.stderr).contains(Data("\0\(user)\0\(password)".utf8).base64EncodedString()), file: file, line: line)
        }
    }

    /// The account exists, inactive, with no activation_sent_at: nothing claims a mail went out.
    func assertAccountKeptUnmailed(file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try sql("SELECT user_id, is_active, activation_sent_at IS NULL FROM users"), ["hong|0|1"], file: file, line: line)
    }
}
