import Foundation
import Synchronization
// Only where tests are built: `swift build -c release` builds this target too, without XCTest.
#if canImport(XCTest)
import XCTest
#endif

/// PostgreSQL from Debian for the tests, started by Tests/postgres/postgres.py in a temporary
/// directory of its own (initdb, pg_ctl on a free port, TLS with a throw-away CA, PgBouncer in
/// transaction mode in front), once per test process and shared: each test gets a database of its
/// own. The script stops both servers when its standard input closes, that is when this process
/// ends, however it ends.
public final class PostgresServer: Sendable {
    public let port: Int
    public let socketDirectory: String
    public let bouncerPort: Int
    /// The throw-away CA that signed the server's certificate (for sslmode=verify-full).
    public let caFile: String
    /// The role the tests (and `accounts`) connect as, with a password (SCRAM).
    public static let user = "accounts"
    public static let password = "accounts-pw"

    private let process: Process
    private let input: FileHandle
    private let lines: LineReader

    /// nil when this machine can run it; otherwise why not.
    public static var unavailable: String? {
        if (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql"))?.isEmpty ?? true {
            return "PostgreSQL is not installed (apt-get install postgresql; `make deps` does)"
        }
        for tool in ["/usr/bin/psql", "/usr/bin/python3", "/usr/bin/setpriv"] where !FileManager.default.isExecutableFile(atPath: tool) {
            return "\(tool) is missing (`make deps` installs it)"
        }
        if getuid() == 0, getpwnam("postgres") == nil { return "no postgres user to run the server as (it refuses root)" }
        return nil
    }

    /// The server of this test process, started on first use. Skips the test with the reason
    /// when PostgreSQL cannot run here; in CI that is a failure.
    public static func shared() throws -> PostgresServer {
        if let reason = unavailable {
            #if canImport(XCTest)
            if ProcessInfo.processInfo.environment["CI"] != nil { XCTFail("CI must run the PostgreSQL tests: \(reason)") }
            throw XCTSkip("PostgreSQL tests skipped: \(reason)")
            #else
            throw PostgresServerError.failed(reason)
            #endif
        }
        return try started.withLock { started in
            if let server = started { return try server.get() }
            let result = Result { try PostgresServer() }
            started = result
            return try result.get()
        }
    }

    private static let started = Mutex<Result<PostgresServer, Error>?>(nil)

    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private init() throws {
        let directory = NSTemporaryDirectory() + "accounts-postgres-" + UUID().uuidString
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [Self.root.appendingPathComponent("Tests/postgres/postgres.py").path, "--dir", directory, "--pgbouncer"]
        process.environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        self.process = process
        self.input = input.fileHandleForWriting
        lines = LineReader(output.fileHandleForReading)
        let ready = try lines.next(timeout: 120).split(separator: " ")
        guard ready.count == 4, ready[0] == "READY", let port = Int(ready[1]), let bouncer = Int(ready[3]) else {
            let why = String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
            throw PostgresServerError.failed("PostgreSQL did not start: \(ready.joined(separator: " ")) \(why)")
        }
        self.port = port
        socketDirectory = String(ready[2])
        bouncerPort = bouncer
        caFile = directory + "/ca.pem"
    }

    /// A new empty database owned by the tests' role; its name.
    public func createDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        try command("createdb \(name)")
        return name
    }

    /// `postgresql://accounts@127.0.0.1:PORT/NAME` (no password: the caller gives it as an
    /// operator would), through PgBouncer with `viaBouncer`, plus query parameters.
    public func uri(_ database: String, viaBouncer: Bool = false, _ parameters: String = "") -> String {
        "postgresql://\(Self.user)@127.0.0.1:\(viaBouncer ? bouncerPort : port)/\(database)" + (parameters.isEmpty ? "" : "?" + parameters)
    }

    /// Runs SQL as the superuser over the socket with psql, outside `accounts`; one string per
    /// row, columns separated by '|'.
    @discardableResult
    public func psql(_ database: String, _ sql: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = ["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", socketDirectory, "-p", String(port), "-U", "admin",
                             "-d", database, "-c", sql]
        process.environment = ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PGTZ": "UTC"]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problem = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PostgresServerError.failed("psql: \(String(decoding: problem, as: UTF8.self)) in: \(sql.prefix(200))")
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    private func command(_ text: String) throws {
        try lines.withLock {
            input.write(Data((text + "\n").utf8))
            let answer = try lines.next(timeout: 60)
            guard answer == "OK" else { throw PostgresServerError.failed("postgres.py \(text): \(answer)") }
        }
    }
}

public enum PostgresServerError: Error, CustomStringConvertible {
    case failed(String)

    public var description: String {
        switch self {
        case .failed(let text): text
        }
    }
}

/// Lines from a pipe, with a time limit; one reader at a time.
final class LineReader: Sendable {
    private let handle: FileHandle
    private let state = Mutex<Data>(Data())
    private let lock = NSLock()

    init(_ handle: FileHandle) {
        self.handle = handle
    }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    func next(timeout: Double) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let line = state.withLock({ pending -> String? in
                guard let newline = pending.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
                let text = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return text
            }) { return line }
            guard Date() < deadline else { throw PostgresServerError.failed("postgres.py did not answer within \(Int(timeout)) s") }
            let chunk = handle.availableData
            if chunk.isEmpty { throw PostgresServerError.failed("postgres.py ended") }
            state.withLock { $0.append(chunk) }
        }
    }
}
