import Foundation
import XCTest

/// `log --follow` on PostgreSQL, where ids become visible out of order: an entry whose
/// transaction took its id first but commits last is still shown, once.
final class PostgresLogFollowCLITests: PostgresCLITestCase {
    func testAnEntryCommittedAfterALargerIdIsNotLost() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        try initAndRegister("first", "first@example.com", extra: ["--no-send"])
        let (follower, path) = try startFollowing()
        XCTAssertEqual(try waitFor(path, count: 1).count, 1)
        // A slow writer takes the next id and holds it uncommitted while a fast one commits after it.
        let (slow, log) = try shell("""
            psql -X -q -h '\(server.socketDirectory)' -p \(server.port) -U admin -d \(database) -c "BEGIN" \\
              -c "INSERT INTO audit_log (at, os_user, action, account_id, user_id, outcome, detail) VALUES (now(), 'dba', 'update', NULL, 'slow', 'ok', 'by hand')" \\
              -c "SELECT pg_sleep(2)" -c "COMMIT" >/dev/null
            """)
        Thread.sleep(forTimeInterval: 0.7)
        XCTAssertEqual(try accounts("register", "fast", "fast@example.com", "--no-send").status, 0)
        slow.waitUntilExit()
        let slowOutput = try String(contentsOfFile: log, encoding: .utf8)
        XCTAssertEqual(slow.terminationStatus, 0, slowOutput)
        let seen = try waitFor(path, count: 3)
        follower.terminate()
        follower.waitUntilExit()
        XCTAssertEqual(follower.terminationStatus, 0)
        XCTAssertEqual(seen.map { $0["user_id"] as? String }, ["first", "fast", "slow"], "in the order they were committed")
        XCTAssertEqual(seen.compactMap { $0["id"] as? Int }, [1, 3, 2])
    }
}
