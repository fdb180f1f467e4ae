import Foundation
import XCTest

/// Files the tool creates are private from their first instant, whatever the umask; a running
/// process cannot dump core or be read through /proc; exposed directories are warned about.
final class FilePermissionsCLITests: SMTPCLITestCase {
    /// Runs the binary with umask 022 (a shell's usual), as `sh -c` would start it from cron.
    func underUmask022(_ arguments: [String], env: [String: String] = [:]) throws -> Run {
        try run("/bin/sh", ["-c", "umask 022; exec \"$0\" \"$@\"", Self.binary] + arguments, env: env)
    }

    func mode(_ name: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/" + name)
        return try XCTUnwrap(attributes[.posixPermissions] as? NSNumber).intValue
    }

    func testDatabaseAndMailFilesAre0600FromTheirFirstInstant() throws {
        // A database of its own, made under umask 022 (before the fix: 0644, and so its -wal).
        let made = try underUmask022(["init", "-q", "--database", "fresh.sqlite3"])
        XCTAssertEqual(made.status, 0, made.stderr)
        XCTAssertEqual(try mode("fresh.sqlite3"), 0o600)

        // Every mail file, watched with inotify as it appears: the temporary name too.
        let clear = ["ACCOUNTS_EMAIL_HOST": "", "ACCOUNTS_EMAIL_BACKEND": "file"]
        try FileManager.default.createDirectory(atPath: directory + "/outbox", withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        let watcher = Process()
        watcher.executableURL = URL(fileURLWithPath: python)
        watcher.arguments = ["-c", Self.inotifyWatcher, directory + "/outbox", directory + "/modes.txt"]
        let ready = Pipe()
        watcher.standardOutput = ready
        try watcher.run()
        defer { if watcher.isRunning { watcher.terminate() }; watcher.waitUntilExit() }
        XCTAssertTrue(String(decoding: ready.fileHandleForReading.availableData, as: UTF8.self).hasPrefix("WATCHING"))
        let csv = "user_id,email\n" + (0..<40).map { "m\($0),m\($0)@example.com" }.joined(separator: "\n")
        try csv.write(toFile: directory + "/class.csv", atomically: true, encoding: .utf8)
        let result = try underUmask022(["register", "--from-csv", "class.csv", "--concurrency", "4"], env: clear)
        XCTAssertEqual(result.status, 0, result.stderr)
        Thread.sleep(forTimeInterval: 0.5)
        watcher.terminate()
        watcher.waitUntilExit()
        let seen = try String(contentsOfFile: directory + "/modes.txt", encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ") }
        let temporary = seen.filter { $0[0].hasSuffix(".tmp") }
        // A file already renamed when the watcher looks is not seen; most are.
        XCTAssertGreaterThan(temporary.count, 20, "each mail is first a temporary file: \(seen.prefix(5))")
        XCTAssertEqual(Set(seen.map { String($0[1]) }), ["600"], "every file, at the moment it appeared: \(seen.prefix(5))")
        XCTAssertEqual(outboxFiles().count, 40)
        for file in outboxFiles() { XCTAssertEqual(try mode("outbox/" + file), 0o600) }
        XCTAssertFalse(result.stderr.contains("warning"), result.stderr)
    }

    /// While a command waits on a relay that never answers: the -wal and -shm files it holds are
    /// 0600, its umask is 077, and it can neither dump core nor be read by its user's other processes.
    func testARunningProcessHoldsOnlyPrivateFilesAndCannotDumpCore() throws {
        try FileManager.default.removeItem(atPath: directory + "/accounts.sqlite3")
        XCTAssertEqual(try underUmask022(["register", "hong", "hong@example.com", "--no-send", "-q"]).status, 0)
        let silent = try HostileSMTPServer(python: python, behaviour: "silent", in: directory)
        defer { silent.stop() }
        environment["ACCOUNTS_EMAIL_PORT"] = String(silent.port)
        environment["ACCOUNTS_EMAIL_USE_TLS"] = "true"
        environment["ACCOUNTS_EMAIL_TIMEOUT"] = "6"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "umask 022; exec \"$0\" \"$@\"", Self.binary, "send-activation", "hong"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() }; process.waitUntilExit() }
        let deadline = Date().addingTimeInterval(5)
        while !silent.commands.contains("CONNECTED") && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertTrue(process.isRunning, "it waits for the greeting")
        XCTAssertEqual(try mode("accounts.sqlite3"), 0o600)
        XCTAssertEqual(try mode("accounts.sqlite3-wal"), 0o600)
        XCTAssertEqual(try mode("accounts.sqlite3-shm"), 0o600)
        let status = try String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        XCTAssertTrue(status.contains("Umask:\t0077"), status)
        let limits = try String(contentsOfFile: "/proc/\(process.processIdentifier)/limits", encoding: .utf8)
        let core = limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") }.map(String.init) ?? ""
        XCTAssertEqual(core.split(separator: " ", omittingEmptySubsequences: true).suffix(3), ["0", "0", "bytes"], core)
    }

    /// Not dumpable: /proc/PID belongs to root, not to the user running the tool, so nothing
    /// else running as that user can read its memory. Checked as nobody when the suite is root.
    func testTheProcessIsNotDumpable() throws {
        var arguments = [Self.binary, "activate", "-"]
        if getuid() == 0 {
            arguments = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + arguments
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        let input = Pipe()
        process.standardInput = input // `activate -` waits here for the link
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { try? input.fileHandleForWriting.close(); process.waitUntilExit() }
        // Wait until setpriv has become accounts (its command line changes).
        let deadline = Date().addingTimeInterval(5)
        var commandLine = ""
        repeat {
            Thread.sleep(forTimeInterval: 0.05)
            commandLine = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/cmdline", encoding: .utf8)) ?? ""
        } while !commandLine.hasPrefix(Self.binary) && Date() < deadline
        Thread.sleep(forTimeInterval: 0.2)
        let owner = try FileManager.default.attributesOfItem(atPath: "/proc/\(process.processIdentifier)/status")[.ownerAccountID] as? NSNumber
        XCTAssertEqual(owner?.intValue, 0, "not dumpable: /proc/PID is root's, not the user's who runs it")
    }

    func testDirectoriesOthersCanWriteAndAnOldDatabaseOthersCanReadAreWarnedAbout() throws {
        environment["ACCOUNTS_EMAIL_HOST"] = ""
        try FileManager.default.createDirectory(atPath: directory + "/outbox", withIntermediateDirectories: false)
        chmod(directory + "/outbox", 0o777)
        let mailed = try accounts("register", "hong", "hong@example.com", "-q")
        XCTAssertEqual(mailed.status, 0, mailed.stderr)
        XCTAssertEqual(mailed.stderr.split(separator: "\n").count, 1, mailed.stderr)
        XCTAssertTrue(mailed.stderr.hasPrefix("accounts: warning: outbox can be written by other users (mode 777), and it holds activation mails"), mailed.stderr)

        chmod(directory, 0o777)
        defer { chmod(directory, 0o755) }
        chmod(directory + "/accounts.sqlite3", 0o644)
        let listed = try accounts("list", "--format", "csv")
        XCTAssertEqual(listed.status, 0)
        XCTAssertTrue(listed.stderr.contains("can be written by other users (mode 777), and it holds the database accounts.sqlite3"), listed.stderr)
        XCTAssertTrue(listed.stderr.contains("warning: database accounts.sqlite3 can be read by other users (mode 644)"), listed.stderr)
        XCTAssertEqual(listed.stdoutLines.count, 2, "the data is still listed")
    }

    /// Prints WATCHING, then one line "NAME MODE" for each file created in (or renamed into) the
    /// directory, with its permission bits as soon as the kernel says it exists.
    static let inotifyWatcher = """
        import ctypes, os, struct, sys
        libc = ctypes.CDLL(None, use_errno=True)
        fd = libc.inotify_init()
        IN_CREATE, IN_MOVED_TO = 0x100, 0x80
        libc.inotify_add_watch(fd, sys.argv[1].encode(), IN_CREATE | IN_MOVED_TO)
        out = open(sys.argv[2], "w", buffering=1)
        print("WATCHING", flush=True)
        while True:
            data = os.read(fd, 65536)
            offset = 0
            while offset < len(data):
                wd, mask, cookie, length = struct.unpack_from("iIII", data, offset)
                name = data[offset + 16: offset + 16 + length].rstrip(b"\\0").decode()
                offset += 16 + length
                try:
                    mode = os.lstat(os.path.join(sys.argv[1], name)).st_mode & 0o777
                except FileNotFoundError:
                    continue
                out.write("%s %o\\n" % (name, mode))
        """
}
