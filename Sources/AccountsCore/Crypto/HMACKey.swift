import COpenSSL

/// An HMAC-SHA256 key whose padded blocks are hashed once, then reused for every message (see
/// `accounts_hmac_sha256` in shim.h). Immutable after init, so it is safe to share.
public struct HMACKey: Sendable {
    private let key: accounts_hmac_sha256_key

    public init(_ secret: [UInt8]) {
        var key = accounts_hmac_sha256_key()
        accounts_hmac_sha256_key_init(&key, secret, secret.count)
        self.key = key
    }

    /// Writes the 32-byte MAC of `message` into `output`.
    public func authenticate(_ message: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count >= 32)
        withUnsafePointer(to: key) { key in
            accounts_hmac_sha256(key, message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count,
                                 output.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// The MAC of `message`.
    public func authenticate(_ message: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        message.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { authenticate(input, into: $0) }
        }
        return output
    }
}
