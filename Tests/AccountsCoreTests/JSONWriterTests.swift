import AccountsCore
import Foundation
import XCTest

/// What --format json and export write: every string a JSON parser reads back exactly, with no
/// raw control character, U+2028 or U+2029 in the output (a line-oriented reader, or an old
/// JavaScript, would break there).
final class JSONWriterTests: XCTestCase {
    func testEveryCharacterReadsBackExactlyAndNoneThatBreaksALineIsRaw() throws {
        var every = (0..<0x80).map { Character(Unicode.Scalar(UInt8($0))) }
        every += ["\u{2028}", "\u{2029}", "\u{2027}", "가", "\u{1F600}", "\r\n"]
        for character in every {
            let text = "a\(character)b"
            let line = JSONWriter.object([("v", .string(text))])
            let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
            XCTAssertEqual(parsed?["v"], text, line.debugDescription)
            XCTAssertFalse(line.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0 == "\u{2028}" || $0 == "\u{2029}" },
                           "raw in \(line.debugDescription)")
        }
        XCTAssertEqual(JSONWriter.object([("v", .string("\u{1}\u{1F}\u{7F}"))]), #"{"v":"\u0001\u001f\u007f"}"#)
        XCTAssertEqual(JSONWriter.object([("v", .string("plain"))]), #"{"v":"plain"}"#)
    }
}
