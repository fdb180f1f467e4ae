import AccountsCore
import XCTest

final class HMACKeyTests: XCTestCase {
    private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// RFC 4231 test cases 1, 2, 6 (a key longer than a block) and 7.
    func testRFC4231Vectors() {
        let cases: [([UInt8], [UInt8], String)] = [
            ([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
             "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
            (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
             "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
            ([UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
             "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
            ([UInt8](repeating: 0xaa, count: 131),
             Array("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".utf8),
             "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
        ]
        for (key, message, expected) in cases {
            XCTAssertEqual(hex(HMACKey(key).authenticate(message)), expected)
        }
    }

    /// Against OpenSSL's one-shot HMAC() for keys and messages of every length around the block size.
    func testAgreesWithOpenSSLsHMAC() {
        for keyLength in [0, 1, 31, 32, 63, 64, 65, 100, 200] {
            let key = OpenSSLCrypto.randomBytes(keyLength)
            let hmac = HMACKey(key)
            for messageLength in [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000] {
                let message = OpenSSLCrypto.randomBytes(messageLength)
                XCTAssertEqual(hmac.authenticate(message), OpenSSLCrypto.hmacSHA256(key: key, message: message),
                               "key \(keyLength) bytes, message \(messageLength) bytes")
            }
        }
    }
}
