import AccountsCore
import Foundation
import XCTest

/// The token clock and the activation window across the transitions where wall-clock time and
/// UTC part ways: Berlin's clocks went back at 2026-10-25 01:00 UTC (03:00 CEST → 02:00 CET) and
/// forward at 2026-03-29 01:00 UTC (02:00 CET → 03:00 CEST).
final class ActivationWindowTests: XCTestCase {
    let berlin = TokenClock(timeZone: TimeZone(identifier: "Europe/Berlin")!)
    let fallBack = UTCDateTime(epochSeconds: 1_792_890_000)
    let springForward = UTCDateTime(epochSeconds: 1_774_746_000)

    /// Seconds since 2001-01-01 of a Berlin wall-clock time on the day of `instant`'s transition.
    func wall(_ instant: UTCDateTime, hour: Int64, minute: Int64) -> Int64 {
        let midnight = (instant.epochSeconds / 86_400) * 86_400
        return midnight + hour * 3600 + minute * 60 - 978_307_200
    }

    func testWhenTheClocksGoBackTheTimestampRepeatsAnHour() {
        XCTAssertEqual(berlin.timestamp(at: fallBack.adding(seconds: -1)), wall(fallBack, hour: 2, minute: 60) - 1, "02:59:59 CEST")
        XCTAssertEqual(berlin.timestamp(at: fallBack), wall(fallBack, hour: 2, minute: 0), "02:00:00 CET, again")
        // 02:30 was first shown half an hour before the transition, in summer time.
        XCTAssertEqual(berlin.earliestInstant(reaching: wall(fallBack, hour: 2, minute: 30)), fallBack.adding(seconds: -1800))
        // Ten minutes after, the highest time the clock has shown is still 02:59:59 CEST.
        XCTAssertEqual(berlin.highestTimestamp(upTo: fallBack.adding(seconds: 600)), wall(fallBack, hour: 3, minute: 0) - 1)
        XCTAssertEqual(berlin.highestTimestamp(upTo: fallBack.adding(seconds: 7200)), wall(fallBack, hour: 4, minute: 0))
    }

    func testWhenTheClocksGoForwardAnHourIsSkipped() {
        // 02:30 never happened; the first second showing at least that is 03:00 CEST.
        XCTAssertEqual(berlin.earliestInstant(reaching: wall(springForward, hour: 2, minute: 30)), springForward)
        XCTAssertEqual(berlin.earliestInstant(reaching: wall(springForward, hour: 1, minute: 30)), springForward.adding(seconds: -1800))
        XCTAssertEqual(berlin.highestTimestamp(upTo: springForward), wall(springForward, hour: 3, minute: 0))
    }

    func testInUTCEverythingIsPlainArithmetic() {
        let utc = ActivationWindow(timeout: 100, timeZone: TimeZone(identifier: "UTC")!)
        let now = UTCDateTime(epochSeconds: 1_800_000_000, microseconds: 700_000)
        XCTAssertEqual(utc.cutoff(at: now), UTCDateTime(epochSeconds: 1_800_000_000 - 100))
        let ts = utc.clock.timestamp(at: now)
        XCTAssertFalse(utc.hasExpired(tokenTimestamp: ts - 100, at: now))
        XCTAssertTrue(utc.hasExpired(tokenTimestamp: ts - 101, at: now))
        XCTAssertEqual(utc.expiry(ofTimestamp: ts), UTCDateTime(epochSeconds: 1_800_000_000 + 101))
        XCTAssertFalse(utc.isFromTheFuture(tokenTimestamp: ts + ActivationWindow.clockSkewAllowance, at: now))
        XCTAssertTrue(utc.isFromTheFuture(tokenTimestamp: ts + ActivationWindow.clockSkewAllowance + 1, at: now))
    }

    /// Purge's cut-off and the tokens' expiry agree to the second: an account whose link was made
    /// at its window start is expired exactly when that link is, also across the transition.
    func testTheCutoffAgreesWithTokenExpiryAcrossTheClocksGoingBack() {
        let window = ActivationWindow(timeout: 3 * 3600, clock: berlin)
        for offset in stride(from: -4 * 3600, through: 4 * 3600, by: 300) {
            let now = fallBack.adding(seconds: Int64(offset))
            let cutoff = window.cutoff(at: now)
            for start in stride(from: now.epochSeconds - 5 * 3600, through: now.epochSeconds, by: 97) {
                let issued = UTCDateTime(epochSeconds: start)
                let expired = window.hasExpired(tokenTimestamp: berlin.timestamp(at: issued), at: now)
                if issued < cutoff {
                    XCTAssertTrue(expired, "purge would delete an account whose link made at \(issued) is still good at \(now)")
                }
                // The other way round they agree too, but for links made in the hour lived twice:
                // those purge keeps up to an hour longer than they work, which is the safe side.
                if expired && issued >= cutoff {
                    XCTAssertTrue(issued >= fallBack && issued < fallBack.adding(seconds: 3600), "\(issued) expired at \(now) but kept")
                }
            }
        }
    }

    /// A token made in the last minutes of summer time is not "from the future" in the hour
    /// after the clocks went back, though its timestamp is ahead of the clock's.
    func testATokenFromJustBeforeTheClocksWentBackIsNotFromTheFuture() {
        let window = ActivationWindow(timeout: 259_200, clock: berlin)
        let made = berlin.timestamp(at: fallBack.adding(seconds: -60))
        let now = fallBack.adding(seconds: 1200)
        XCTAssertGreaterThan(made, berlin.timestamp(at: now) + ActivationWindow.clockSkewAllowance)
        XCTAssertFalse(window.isFromTheFuture(tokenTimestamp: made, at: now))
        XCTAssertTrue(window.isFromTheFuture(tokenTimestamp: made + 3600, at: now))
    }

    func testStatesFollowTheOneDefinition() {
        let joined = UTCDateTime(epochSeconds: 1_800_000_000)
        let cutoff = joined.adding(seconds: 1)
        var user = User(id: 1, userID: "u", email: "u@example.com", password: "!x", dateJoined: joined)
        XCTAssertEqual(ActivationWindow.state(of: user, cutoff: cutoff), .expired)
        XCTAssertEqual(ActivationWindow.state(of: user, cutoff: joined), .pending)
        user.activatedAt = joined
        XCTAssertFalse(ActivationWindow.isNeverActivated(user))
        XCTAssertEqual(ActivationWindow.state(of: user, cutoff: cutoff), .inactive, "active once, then deactivated")
        user.isActive = true
        XCTAssertEqual(ActivationWindow.state(of: user, cutoff: cutoff), .active)
    }

    /// Each of the three marks alone makes an account not never-activated: a login through the
    /// Django site (last_login, as Django writes it, with is_active later switched off and no
    /// activated_at from a program that never stamps it), an activation, being active.
    func testAnyOneMarkMakesAnAccountNotNeverActivated() {
        let joined = UTCDateTime(epochSeconds: 1_800_000_000)
        let fresh = User(id: 1, userID: "u", email: "u@example.com", password: "!x", dateJoined: joined)
        XCTAssertTrue(ActivationWindow.isNeverActivated(fresh))
        var loggedIn = fresh
        loggedIn.lastLogin = joined.adding(seconds: 60)
        var activated = fresh
        activated.activatedAt = joined.adding(seconds: 60)
        var active = fresh
        active.isActive = true
        for user in [loggedIn, activated, active] {
            XCTAssertFalse(ActivationWindow.isNeverActivated(user), "\(user)")
            XCTAssertNotEqual(ActivationWindow.state(of: user, cutoff: joined.adding(seconds: 10)), .expired, "never purged: \(user)")
        }
        XCTAssertEqual(ActivationWindow.state(of: loggedIn, cutoff: joined.adding(seconds: 10)), .inactive)
    }
}
