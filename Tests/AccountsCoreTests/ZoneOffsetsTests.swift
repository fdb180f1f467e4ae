@testable import AccountsCore
import Foundation
import XCTest

final class ZoneOffsetsTests: XCTestCase {
    /// The remembered offset is the zone's own, for instants walked forward (as a server sees
    /// them) and in random order, across DST changes and changes of standard time (Moscow 2011
    /// and 2014, Pyongyang 2015 and 2018, Samoa skipping a day in 2011).
    func testAgreesWithTheZoneAcrossItsTransitions() throws {
        let zones = ["UTC", "Asia/Seoul", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Europe/Moscow",
                     "Asia/Pyongyang", "Pacific/Apia", "America/Sao_Paulo", "Africa/Casablanca"]
        var generator = SystemRandomNumberGenerator()
        for name in zones {
            let zone = try XCTUnwrap(TimeZone(identifier: name))
            let offsets = ZoneOffsets(zone)
            var forward = Int64(978_307_200) // 2001-01-01
            while forward < 2_208_988_800 { // 2040-01-01
                XCTAssertEqual(offsets.offset(at: forward), Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(forward)))),
                               "\(name) at \(forward)")
                forward += Int64.random(in: 1...(6 * 86_400), using: &generator)
            }
            for _ in 0..<2_000 {
                let any = Int64.random(in: 978_307_200...2_208_988_800, using: &generator)
                XCTAssertEqual(offsets.offset(at: any), Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(any)))),
                               "\(name) at \(any)")
            }
        }
    }

    /// Right at a transition and one second either side.
    func testTheSecondsAroundAChange() throws {
        let zone = try XCTUnwrap(TimeZone(identifier: "Europe/Berlin"))
        let offsets = ZoneOffsets(zone)
        let change = Int64(1_774_746_000) // 2026-03-29 01:00:00 UTC, clocks go forward
        for seconds in [change - 1, change, change + 1, change - 1] {
            XCTAssertEqual(offsets.offset(at: seconds), Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds)))),
                           "\(seconds)")
        }
        XCTAssertEqual(offsets.offset(at: change - 1), 3600)
        XCTAssertEqual(offsets.offset(at: change), 7200)
    }
}
