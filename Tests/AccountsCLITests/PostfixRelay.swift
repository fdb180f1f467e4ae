import Foundation
import XCTest

/// Postfix from Debian, with Dovecot for SASL, configured and started in a directory of the
/// test's own by Tests/smtp/postfix.py: STARTTLS+AUTH on one loopback port, implicit TLS+AUTH on
/// another, every message into one Maildir. The script stops both when its standard input closes,
/// so they end with the test even if it fails or crashes.
final class PostfixRelay {
    let directory: String
    private(set) var starttlsPort = 0
    private(set) var tlsPort = 0
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var pending = Data()

    /// nil when this machine can run it; otherwise why not.
    static var unavailable: String? {
        if getuid() != 0 { return "Postfix's master must start as root" }
        for tool in ["/usr/sbin/postfix", "/usr/sbin/dovecot", "/usr/bin/script"] where !FileManager.default.isExecutableFile(atPath: tool) {
            return "\(tool) is not installed (apt-get install postfix dovecot-core; `make deps` does)"
        }
        return nil
    }

    /// Skips the test with the reason when Postfix cannot run here; in CI that is a failure.
    static func require() throws {
        guard let reason = unavailable else { return }
        if ProcessInfo.processInfo.environment["CI"] != nil {
            XCTFail("CI must run the Postfix tests: \(reason)")
        }
        throw XCTSkip("Postfix tests skipped: \(reason)")
    }

    init(python: String, in directory: String, user: String, password: String, settings: [String] = []) throws {
        self.directory = directory + "/postfix"
        let certificate = TestCertificates.shared.localhost
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [CLITestCase.root.appendingPathComponent("Tests/smtp/postfix.py").path, "--dir", self.directory,
                             "--cert", certificate.cert, "--key", certificate.key, "--user", user, "--password", password]
            + settings.flatMap { ["--set", $0] }
        process.environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let ready = try line(timeout: 60).split(separator: " ")
        guard ready.count == 3, ready[0] == "READY", let first = Int(ready[1]), let second = Int(ready[2]) else {
            stop()
            throw PostfixRelayError.failed("Postfix did not start: \(ready.joined(separator: " ")) (see \(self.directory)/maillog)")
        }
        starttlsPort = first
        tlsPort = second
    }

    deinit { stop() }

    /// `stop`, `start` or `set NAME=VALUE` (main.cf, then a reload).
    func command(_ text: String) throws {
        input.fileHandleForWriting.write(Data((text + "\n").utf8))
        let answer = try line(timeout: 60)
        guard answer == "OK" else { throw PostfixRelayError.failed("postfix.py \(text): \(answer)") }
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    /// Every message delivered so far (Maildir new and cur).
    var delivered: [String] {
        var paths: [String] = []
        for folder in ["new", "cur"] {
            let path = directory + "/vmail/example.com/all/" + folder
            let names: [String] = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            paths += names.map { path + "/" + $0 }
        }
        return paths
    }

    /// The recipient of each delivered message (Postfix's Delivered-To header).
    func recipients() throws -> [String] {
        try delivered.map { path in
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let header = text.split(separator: "\n").first { $0.hasPrefix("Delivered-To: ") }
            return header.map { String($0.dropFirst("Delivered-To: ".count)).trimmingCharacters(in: .whitespaces) } ?? "?"
        }
    }

    /// Waits until `count` messages have been delivered (Postfix queues first, then delivers).
    func waitForDeliveries(_ count: Int, seconds: Double = 60) {
        let deadline = Date().addingTimeInterval(seconds)
        while delivered.count < count && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        Thread.sleep(forTimeInterval: 0.5) // and nothing more arrives
    }

    var log: [String] {
        ((try? String(contentsOfFile: directory + "/maillog", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// From Postfix's log: the most SMTP sessions open at once, and how many there were.
    var sessions: (atOnce: Int, total: Int) {
        var open: Set<Substring> = [], most = 0, total = 0
        for line in log where line.contains("postfix/smtpd[") {
            let process = line.split(separator: "[")[1].split(separator: "]")[0]
            if line.contains(": connect from ") { open.insert(process); total += 1; most = max(most, open.count) }
            if line.contains(": disconnect from ") { open.remove(process) }
        }
        return (most, total)
    }

    private func line(timeout: Double) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let text = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return text
            }
            guard Date() < deadline else { throw PostfixRelayError.failed("postfix.py did not answer within \(Int(timeout)) s") }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw PostfixRelayError.failed("postfix.py ended (see \(directory)/maillog)") }
            pending.append(chunk)
        }
    }
}

enum PostfixRelayError: Error {
    case failed(String)
}
