import COpenSSL

/// The few primitives the tool needs, all from the system OpenSSL; nothing here is hand-written crypto.
public enum OpenSSLCrypto {
    /// SHA-256 of `data`.
    public static func sha256(_ data: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        var length: UInt32 = 0
        let ok = EVP_Digest(data, data.count, &digest, &length, EVP_sha256(), nil)
        precondition(ok == 1 && length == digest.count, "EVP_Digest(SHA-256) failed")
        return digest
    }

    /// HMAC-SHA256 of `message` under `key`, by OpenSSL's one-shot HMAC(): the reference that
    /// `HMACKey` (what tokens use, keyed once) is checked against in HMACKeyTests.
    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var mac = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let result = key.withUnsafeBufferPointer { keyBuffer in
            HMAC(EVP_sha256(), keyBuffer.baseAddress, Int32(keyBuffer.count), message, message.count, &mac, &length)
        }
        precondition(result != nil && length == 32, "HMAC-SHA256 failed")
        return Array(mac.prefix(Int(length)))
    }

    /// PBKDF2-HMAC-SHA256 with `iterations` rounds, `length` bytes of output.
    public static func pbkdf2SHA256(password: [UInt8], salt: [UInt8], iterations: Int, length: Int = 32) -> [UInt8] {
        precondition(iterations > 0 && iterations <= Int(Int32.max), "PBKDF2 iteration count out of range")
        var output = [UInt8](repeating: 0, count: length)
        let ok = password.withUnsafeBufferPointer { passwordBuffer in
            passwordBuffer.withMemoryRebound(to: CChar.self) { passwordChars in
                PKCS5_PBKDF2_HMAC(passwordChars.baseAddress, Int32(passwordChars.count), salt, Int32(salt.count),
                                  Int32(iterations), EVP_sha256(), Int32(length), &output)
            }
        }
        precondition(ok == 1, "PKCS5_PBKDF2_HMAC failed")
        return output
    }

    /// `count` bytes from OpenSSL's CSPRNG.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let ok = RAND_bytes(&bytes, Int32(count))
        precondition(ok == 1, "RAND_bytes failed: the system random generator is unavailable")
        return bytes
    }

    /// Compares in time that depends only on the length, not on where the inputs differ.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return CRYPTO_memcmp(a, b, a.count) == 0
    }

    /// A string of `length` characters drawn uniformly from `alphabet` (Django's get_random_string).
    public static func randomString(length: Int, alphabet: [Character]) -> String {
        precondition(!alphabet.isEmpty && alphabet.count <= 256)
        // Rejection sampling: only bytes below the largest multiple of the alphabet size are used,
        // so every character is equally likely.
        let limit = 256 - (256 % alphabet.count)
        var result = ""
        result.reserveCapacity(length)
        var count = 0 // String.count walks the string; a bulk registration makes a million of these
        while count < length {
            for byte in randomBytes(length * 2) where Int(byte) < limit {
                result.append(alphabet[Int(byte) % alphabet.count])
                count += 1
                if count == length { break }
            }
        }
        return result
    }

    /// Letters and digits, Django's RANDOM_STRING_CHARS.
    public static let alphanumerics: [Character] = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
}

extension Array where Element == UInt8 {
    /// Lower-case hexadecimal, as Python's `hexdigest()`.
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var chars = [UInt8]()
        chars.reserveCapacity(count * 2)
        for byte in self {
            chars.append(digits[Int(byte >> 4)])
            chars.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: chars, as: UTF8.self)
    }
}
