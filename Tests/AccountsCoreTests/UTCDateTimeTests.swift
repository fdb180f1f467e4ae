import AccountsCore
import Foundation
import XCTest

final class UTCDateTimeTests: XCTestCase {
    /// The calendar arithmetic agrees with the C library's gmtime for instants from 1600 to 2400.
    func testTextAgreesWithGmtime() {
        var generator = SystemRandomNumberGenerator()
        let samples = (0..<20_000).map { _ in Int64.random(in: -11_676_096_000...13_569_465_600, using: &generator) }
            + [0, -1, 86_399, 86_400, 951_782_400, 951_868_800, 4_107_542_399, 978_307_200]
        for seconds in samples {
            var time = time_t(seconds)
            var t = tm()
            gmtime_r(&time, &t)
            let expected = String(format: "%04d-%02d-%02d %02d:%02d:%02d", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
                                  t.tm_hour, t.tm_min, t.tm_sec)
            let instant = UTCDateTime(epochSeconds: seconds, microseconds: 1234)
            XCTAssertEqual(instant.wholeSecondsText, expected, "\(seconds)")
            XCTAssertEqual(instant.storageText, expected + ".001234")
            XCTAssertEqual(UTCDateTime(storageText: instant.storageText), instant, "round trip of \(seconds)")
        }
    }

    func testFormsAndRefusals() {
        let instant = UTCDateTime(storageText: "2024-02-29 23:59:58.5")
        XCTAssertEqual(instant?.iso8601, "2024-02-29T23:59:58.500000Z")
        var bytes: [UInt8] = []
        instant?.appendISO8601(to: &bytes)
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "2024-02-29T23:59:58.500000Z")
        XCTAssertEqual(UTCDateTime(storageText: "2026-11-21T09:30:00")?.wholeSecondsText, "2026-11-21 09:30:00")
        for bad in ["2023-02-29 00:00:00", "2026-04-31 00:00:00", "2026-13-01 00:00:00", "2026-00-10 00:00:00",
                    "2026-11-21 24:00:00", "2026-11-21 12:00:00.", "2026-11-21 12:00:00.1234567", "2026-11-21", ""] {
            XCTAssertNil(UTCDateTime(storageText: bad), bad)
        }
    }
}
