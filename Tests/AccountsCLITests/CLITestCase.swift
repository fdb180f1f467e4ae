import Foundation
import XCTest

/// What one run of a program printed and returned.
struct Run {
    let status: Int32
    let stdout: String
    let stderr: String

    var stdoutLines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
}

/// Base class for tests that drive the built `accounts` binary in a fresh working directory,
/// with a secrets file and an environment free of the developer's ACCOUNTS_* variables.
class CLITestCase: XCTestCase {
    var directory = ""
    var environment: [String: String] = [:]

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The Python of .venv (Django, aiosmtpd), made by `make test`. Missing in CI is a failure,
    /// missing on a developer's machine a skip.
    func testPython() throws -> String {
        let candidates: [String?] = [ProcessInfo.processInfo.environment["ACCOUNTS_TEST_PYTHON"], Self.root.appendingPathComponent(".venv/bin/python").path]
        if let found = candidates.compactMap({ $0 }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
            return found
        }
        if ProcessInfo.processInfo.environment["CI"] != nil {
            XCTFail("CI must run these tests: no Python with Django and aiosmtpd (run `make test`, which creates .venv)")
        }
        throw XCTSkip("no .venv with Django and aiosmtpd; `make test` creates it")
    }

    static var binary: String {
        // `swift test` puts the test bundle next to the products it built.
        let products = Bundle.main.bundleURL
        for candidate in [products, products.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("accounts").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        fatalError("built accounts binary not found near \(products.path)")
    }

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "accounts-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        let inherited = ProcessInfo.processInfo.environment
        // A crash must fail the test at once, not wait for someone to press a key.
        environment = ["PATH": inherited["PATH"] ?? "/usr/bin:/bin", "HOME": directory, "LANG": "C.UTF-8",
                       "SWIFT_BACKTRACE": "interactive=no"]
    }

    /// Runs `accounts` with `arguments` in the test's directory.
    @discardableResult
    func accounts(_ arguments: [String], stdin: String? = nil, env extra: [String: String] = [:]) throws -> Run {
        try run(Self.binary, arguments, stdin: stdin, env: extra)
    }

    @discardableResult
    func accounts(_ arguments: String..., stdin: String? = nil, env extra: [String: String] = [:]) throws -> Run {
        try accounts(arguments, stdin: stdin, env: extra)
    }

    func run(_ executable: String, _ arguments: [String], stdin: String? = nil, stdinData: Data? = nil,
             env extra: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment.merging(extra) { $1 }
        // Files, not pipes: a large output cannot fill a pipe and stall the child.
        let outPath = directory + "/.stdout-\(UUID().uuidString)"
        let errPath = directory + "/.stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let bytes = stdinData ?? stdin.map({ Data($0.utf8) }) { input.fileHandleForWriting.write(bytes) }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return Run(status: process.terminationStatus,
                   stdout: try String(contentsOfFile: outPath, encoding: .utf8),
                   stderr: try String(contentsOfFile: errPath, encoding: .utf8))
    }

    /// Runs SQL on the test database with the sqlite3 shell; one string per output row.
    @discardableResult
    func sql(_ statement: String, database: String = "accounts.sqlite3") throws -> [String] {
        let result = try run("/usr/bin/sqlite3", [database, statement])
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.stdoutLines
    }

    /// Every row of every table, to prove a failed command changed nothing.
    func dump(database: String = "accounts.sqlite3") throws -> String {
        guard FileManager.default.fileExists(atPath: directory + "/" + database) else { return "<no database>" }
        return try run("/usr/bin/sqlite3", [database, ".dump"]).stdout
    }

    /// Asserts a failure: the exit code, nothing on stdout, and exactly one line on stderr
    /// that contains `message`.
    func assertFails(_ result: Run, _ status: Int32, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.status, status, "stderr: \(result.stderr)", file: file, line: line)
        XCTAssertEqual(result.stdout, "", file: file, line: line)
        let lines = result.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "one line on stderr: \(result.stderr)", file: file, line: line)
        XCTAssertTrue(result.stderr.hasPrefix("accounts: "), result.stderr, file: file, line: line)
        XCTAssertTrue(result.stderr.contains(message), "expected '\(message)' in: \(result.stderr)", file: file, line: line)
    }

    /// `accounts init`, then a registered user; returns the activation URL.
    @discardableResult
    func initAndRegister(_ userID: String = "hong", _ email: String = "hong@example.com", extra: [String] = [],
                         env: [String: String] = [:]) throws -> String {
        if !FileManager.default.fileExists(atPath: directory + "/secrets.json") {
            XCTAssertEqual(try accounts("init", "--quiet").status, 0)
        }
        let result = try accounts(["register", userID, email] + extra, env: env)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdoutLines.count, 1, "only the URL on stdout: \(result.stdout)")
        return result.stdoutLines.first ?? ""
    }

    func outboxFiles() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/outbox")) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
    }

    func jsonArray(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> [[String: Any]] {
        let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try XCTUnwrap(value as? [[String: Any]], file: file, line: line)
    }
}

extension CLITestCase {
    /// Runs `accounts` on a real terminal (a pty, through Python's pty module): `answers` are
    /// typed one a line, half a second apart. Returns everything the terminal showed.
    func onATerminal(_ arguments: [String], typing answers: [String] = []) throws -> Run {
        let script = """
            import os, pty, sys, time
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(sys.argv[1], ["accounts"] + sys.argv[3:])
            for answer in filter(None, sys.argv[2].split("\\x1f")):
                time.sleep(0.5)
                os.write(fd, answer.encode() + b"\\n")
            out = b""
            while True:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
            _, status = os.waitpid(pid, 0)
            sys.stdout.write(out.decode())
            sys.exit(os.waitstatus_to_exitcode(status))
            """
        return try run(try testPython(), ["-c", script, Self.binary, answers.joined(separator: "\u{1F}")] + arguments)
    }
}

extension CLITestCase {
    /// Starts `accounts` in the background in the test's directory, its stdout and stderr going
    /// to files (whose paths come back); stopped at teardown if it is still running.
    func startAccounts(_ arguments: [String]) throws -> (process: Process, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        let name = directory + "/background-\(UUID().uuidString)"
        for path in [name + ".out", name + ".err"] { XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: nil)) }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: name + ".out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: name + ".err"))
        try process.run()
        addTeardownBlock { if process.isRunning { process.terminate() } }
        return (process, name + ".out", name + ".err")
    }

    /// After a purge was killed: `counts` is "users|purged_users|purge audit entries" (one row);
    /// asserts nothing was lost and only whole batches of 1,000 went, each with its audit entry.
    /// Returns how many accounts were archived.
    @discardableResult
    func assertWholeBatches(_ counts: [String], rows: Int, file: StaticString = #filePath, line: UInt = #line) -> Int {
        let parts = counts.first?.split(separator: "|").compactMap { Int($0) } ?? []
        guard parts.count == 3 else {
            XCTFail("three counts expected: \(counts)", file: file, line: line)
            return 0
        }
        let (left, archived, batches) = (parts[0], parts[1], parts[2])
        XCTAssertEqual(left + archived, rows, "nothing lost: \(counts)", file: file, line: line)
        XCTAssertGreaterThan(archived, 0, file: file, line: line)
        XCTAssertLessThan(archived, rows, "killed halfway", file: file, line: line)
        XCTAssertEqual(archived % 1000, 0, "whole batches: \(archived)", file: file, line: line)
        XCTAssertEqual(batches, archived / 1000, "one audit entry a batch", file: file, line: line)
        return archived
    }
}
