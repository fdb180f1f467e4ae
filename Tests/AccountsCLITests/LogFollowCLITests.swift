import Foundation
import XCTest

/// `log --follow` with other processes writing: every entry once, in JSON Lines, and a clean
/// end on SIGINT, SIGTERM or a reader that went away.
final class LogFollowCLITests: CLITestCase {
    func testEveryEntryOnceAsOtherProcessesCommitThem() throws {
        try initAndRegister("first", "first@example.com", extra: ["--no-send"])
        let (follower, path) = try startFollowing()
        XCTAssertEqual(try waitFor(path, count: 1).map { $0["action"] as? String }, ["register"], "what was there, first")
        // Four writers at once, and an administrator's change.
        let writers = try run("/bin/sh", ["-c", """
            for w in 0 1 2 3; do
              (for i in 0 1 2 3 4; do "$0" register w${w}u$i w${w}u$i@example.com --no-send -q >/dev/null || echo "FAILED $w $i"; done) &
            done
            wait
            """, Self.binary])
        XCTAssertEqual(writers.stdout, "", writers.stderr)
        XCTAssertEqual(try accounts("update", "first", "--level", "9").status, 0)
        let seen = try waitFor(path, count: 22)
        follower.interrupt() // SIGINT
        follower.waitUntilExit()
        XCTAssertEqual(follower.terminationReason, .exit)
        XCTAssertEqual(follower.terminationStatus, 0)
        let ids = seen.compactMap { $0["id"] as? Int }
        XCTAssertEqual(ids, Array(1...22), "each entry once, in order")
        XCTAssertEqual(seen.last?["action"] as? String, "update")
        XCTAssertEqual(Set(seen.compactMap { $0["user_id"] as? String }).count, 21)
    }

    func testFiltersAndTermination() throws {
        try initAndRegister("hong", "hong@example.com", extra: ["--no-send"])
        let (follower, path) = try startFollowing(["--action", "update", "--user", "hong"])
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertEqual(try accounts("register", "kim", "kim@example.com", "--no-send").status, 0)
        XCTAssertEqual(try accounts("update", "kim", "--level", "1").status, 0)
        XCTAssertEqual(try accounts("update", "hong", "--level", "1").status, 0)
        let seen = try waitFor(path, count: 1)
        follower.terminate() // SIGTERM
        follower.waitUntilExit()
        XCTAssertEqual(follower.terminationStatus, 0)
        XCTAssertEqual(seen.map { "\($0["action"] ?? "") \($0["user_id"] ?? "")" }, ["update hong"])
    }

    func testAReaderThatGoesAwayEndsIt() throws {
        try initAndRegister("hong", "hong@example.com", extra: ["--no-send"])
        // head takes the first line and exits; the follower must notice without anything new to write.
        let started = Date()
        let result = try run("/bin/sh", ["-c", "\"$0\" log --follow --format json | head -n 1", Self.binary])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdoutLines.count, 1)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
    }
}

/// Following the log from a test: the follower runs in the background, its output in a file.
extension CLITestCase {
    /// Starts `accounts log --follow --format json` in the background; its stdout goes to a file.
    func startFollowing(_ extra: [String] = []) throws -> (Process, String) {
        let (process, stdout, _) = try startAccounts(["log", "--follow", "--format", "json"] + extra)
        return (process, stdout)
    }

    func entries(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
        }
    }

    func waitFor(_ path: String, count: Int, seconds: Double = 20) throws -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            // Only whole lines: the follower may be between two writes.
            let text = try String(contentsOfFile: path, encoding: .utf8)
            if text.hasSuffix("\n") || text.isEmpty, try entries(path).count >= count { return try entries(path) }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return try entries(path)
    }
}
