import Foundation
import Synchronization
import XCTest

/// Throw-away certificates made with the `openssl` command: a test CA, a server certificate for
/// localhost, one for another host name, and one for localhost from a CA nobody trusts.
struct TestCertificates {
    let directory: String
    var ca: String { directory + "/ca.pem" }
    var localhost: (cert: String, key: String) { (directory + "/localhost.pem", directory + "/localhost.key") }
    var otherHost: (cert: String, key: String) { (directory + "/other.pem", directory + "/other.key") }
    var unknownCA: (cert: String, key: String) { (directory + "/rogue.pem", directory + "/rogue.key") }

    static let shared: TestCertificates = {
        let directory = NSTemporaryDirectory() + "accounts-certs-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = """
            set -e
            cd "$1"
            openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=accounts test CA"
            openssl req -x509 -newkey rsa:2048 -nodes -keyout rogueca.key -out rogueca.pem -days 2 -subj "/CN=untrusted CA"
            issue() {  # name, signing CA, subjectAltName
                openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$4"
                printf 'subjectAltName=%s\\n' "$3" > "$1.ext"
                openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -out "$1.pem" -days 2 -extfile "$1.ext"
            }
            issue localhost ca "DNS:localhost,IP:127.0.0.1" localhost
            issue other ca "DNS:wronghost.example" wronghost.example
            issue rogue rogueca "DNS:localhost,IP:127.0.0.1" localhost
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script, "sh", directory]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try! process.run()
        process.waitUntilExit()
        precondition(process.terminationStatus == 0, "openssl could not make the test certificates")
        return TestCertificates(directory: directory)
    }()
}

enum SMTPTestServerError: Error {
    case didNotStart(script: String, arguments: [String])
}

final class LockedFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

/// A helper server of the test suite (a Python script) that prints "READY" once it listens and
/// stops when its standard input closes, so that it never outlives the test.
final class HelperServer {
    private let process = Process()
    private let input = Pipe()

    init(python: String, script: String, arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [CLITestCase.root.appendingPathComponent(script).path] + arguments
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = input
        try process.run()
        // Wait (bounded) for "READY".
        let ready = DispatchSemaphore(value: 0)
        let started = LockedFlag()
        DispatchQueue.global().async {
            let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
            if line.hasPrefix("READY") { started.set() }
            ready.signal()
        }
        guard ready.wait(timeout: .now() + 20) == .success, started.isSet else {
            stop()
            throw SMTPTestServerError.didNotStart(script: script, arguments: arguments)
        }
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// aiosmtpd (Tests/smtp/server.py) on 127.0.0.1, started for one test and stopped after it.
final class SMTPTestServer {
    let port: Int
    let maildir: String
    private let helper: HelperServer

    init(python: String, security: String, behaviour: String = "normal", certificate: (cert: String, key: String)?,
         user: String, password: String, in directory: String, port: Int? = nil) throws {
        self.port = port ?? Self.freePort()
        maildir = directory + "/received-\(self.port)"
        try FileManager.default.createDirectory(atPath: maildir, withIntermediateDirectories: true)
        var arguments = ["--port", String(self.port), "--maildir", maildir, "--security", security, "--behaviour", behaviour]
        if let certificate { arguments += ["--cert", certificate.cert, "--key", certificate.key] }
        helper = try HelperServer(python: python, script: "Tests/smtp/server.py", arguments: arguments,
                                  environment: ["SMTP_TEST_USER": user, "SMTP_TEST_PASSWORD": password])
    }

    func stop() { helper.stop() }

    /// Every message the server accepted, as raw .eml paths, in order.
    var received: [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: maildir)) ?? []).filter { $0.hasSuffix(".eml") }
        return names.sorted { Int($0.dropLast(4))! < Int($1.dropLast(4))! }.map { maildir + "/" + $0 }
    }

    func envelope(_ eml: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: String(eml.dropLast(4)) + ".json"))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// A port nobody listens on right now.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                _ = bind(fd, pointer, length)
                _ = getsockname(fd, pointer, &length)
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Tests/smtp/hostile.py: the faults a well-behaved server cannot commit. It logs every command
/// it receives.
final class HostileSMTPServer {
    let port = SMTPTestServer.freePort()
    let log: String
    private let helper: HelperServer

    init(python: String, behaviour: String, in directory: String,
         certificate: (cert: String, key: String) = TestCertificates.shared.localhost) throws {
        log = directory + "/hostile-\(port).log"
        helper = try HelperServer(python: python, script: "Tests/smtp/hostile.py", arguments: [
            "--port", String(port), "--log", log, "--behaviour", behaviour, "--cert", certificate.cert, "--key", certificate.key,
        ])
    }

    /// The commands it received, in order ("TLS" where the handshake happened).
    var commands: [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func stop() { helper.stop() }
}
