import AccountsCore
import XCTest

final class UIDCodecTests: XCTestCase {
    func testEncodesLikeDjango() {
        XCTAssertEqual(UIDCodec.encode(1), "MQ")
        XCTAssertEqual(UIDCodec.encode(12), "MTI")
        XCTAssertEqual(UIDCodec.encode(123), "MTIz")
    }

    func testRoundTripsEveryMagnitude() {
        var id: Int64 = 1
        while id < Int64.max / 7 {
            XCTAssertEqual(UIDCodec.decode(UIDCodec.encode(id)), id)
            XCTAssertEqual(UIDCodec.decode(UIDCodec.encode(id + 1)), id + 1)
            id *= 7
        }
        XCTAssertEqual(UIDCodec.decode(UIDCodec.encode(Int64.max)), Int64.max)
    }

    func testRejectsAnythingElse() {
        let invalid = [
            "", "M", "MQ=", "MQ==", "M Q", "MQ\n", "TVE", // padding, whitespace, "MQ" base64-encoded again
            "MA",          // "0"
            "LTE",         // "-1"
            "YQ",          // "a"
            "MDE",         // "01": not how Django spells 1
            "MR",          // stray low bits: decodes to "1" but is not the canonical spelling
            "OTIyMzM3MjAzNjg1NDc3NTgwOA", // 2^63, one past Int64.max
            "OTk5OTk5OTk5OTk5OTk5OTk5OTk5", // far beyond 64 bits
            "MQ+", "MQ/", "M%51", "ＭＱ", "MQ\u{0}",
            String(repeating: "M", count: 1_000_000),
        ]
        for uid in invalid {
            XCTAssertNil(UIDCodec.decode(uid), uid.prefix(30).debugDescription)
        }
    }

    /// A length of 4k+1 is no base64 (Django's urlsafe_base64_decode raises on it), even when
    /// its first 4k characters spell an id: "MTIz" is "123", and "MTIzA" must not be.
    func testALengthOfFourKPlusOneIsRefusedWhateverItsPrefix() {
        XCTAssertEqual(UIDCodec.decode("MTIz"), 123)
        for uid in ["MTIzA", "MTIzM", "MTIzNDU2Nzg5A", "A"] {
            XCTAssertNil(UIDCodec.decode(uid), uid)
        }
    }
}
