// libFuzzer target: TokenGenerator.check and Base36.decode, the token half of an activation link.
import Foundation

private struct Subject: TokenSubject {
    let id: Int64 = 42
    let password = "pbkdf2_sha256$1000000$salt$hash="
    let lastLogin: UTCDateTime? = nil
    let email = "fuzz@example.com"
}

private let generator = TokenGenerator(secretKey: "fuzz-secret", fallbacks: ["old-secret"], timeout: 259_200,
                                       timeZone: TimeZone(identifier: "Asia/Seoul")!)
private let now = UTCDateTime(epochSeconds: 1_790_000_000)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzToken(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let user = Subject()

    // Arbitrary text: accepted only if it is exactly what we would have issued.
    let text = String(decoding: bytes, as: UTF8.self)
    switch generator.check(text, for: user, at: now) {
    case .valid(let keyIndex, let issuedAt), .expired(let keyIndex, let issuedAt), .fromTheFuture(let keyIndex, let issuedAt):
        precondition(generator.makeToken(for: user, timestamp: issuedAt, keyIndex: keyIndex) == text, "accepted \(text)")
    case .invalid:
        break
    }
    if let value = Base36.decode(Substring(text)) {
        precondition(value >= 0 && Base36.decode(Substring(Base36.encode(value))) == value, "base36 \(text)")
    }

    // A genuine token (timestamp and key from the input) is accepted with the right age, and any
    // change to it, here the rest of the input spliced in at a chosen place, is refused.
    guard size >= 10 else { return 0 }
    let issuedAt = Int64(bitPattern: bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }) & 0x0000_FFFF_FFFF_FFFF
    let keyIndex = Int(bytes[8] & 1)
    let genuine = generator.makeToken(for: user, timestamp: issuedAt, keyIndex: keyIndex)
    // Seoul keeps one offset all year, so its token clock is plain arithmetic here.
    let age = generator.timestamp(at: now) - issuedAt
    let expected: TokenGenerator.Verdict = age > 259_200 ? .expired(keyIndex: keyIndex, issuedAt: issuedAt)
        : -age > 300 ? .fromTheFuture(keyIndex: keyIndex, issuedAt: issuedAt)
        : .valid(keyIndex: keyIndex, issuedAt: issuedAt)
    precondition(generator.check(genuine, for: user, at: now) == expected, "genuine token \(genuine) misjudged")

    var tampered = Array(genuine.utf8)
    let position = Int(bytes[9]) % (tampered.count + 1)
    tampered.insert(contentsOf: bytes.dropFirst(10), at: position)
    let tamperedText = String(decoding: tampered, as: UTF8.self)
    if tamperedText != genuine {
        precondition(generator.check(tamperedText, for: user, at: now) == .invalid, "accepted tampered \(tamperedText)")
    }
    return 0
}
