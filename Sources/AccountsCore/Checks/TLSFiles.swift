import COpenSSL
import Foundation

/// `serve --tls-cert/--tls-key` as `check` judges them without starting a server: read as
/// `serve` reads them (TrustedFile, certbot's links), the key that no one else may read, the
/// chain that parses, the key that fits the leaf, and when the leaf expires.
public enum TLSFiles {
    public struct Verdict: Sendable {
        public var notAfter: UTCDateTime?
    }

    /// Throws `.configuration` with what is wrong (as `serve` would refuse to start).
    public static func check(certificate certificatePath: String, key keyPath: String) throws -> Verdict {
        let certificate = try TrustedFile(path: certificatePath, role: "TLS certificate",
                                          missing: AccountsError(.configuration, "TLS certificate \(certificatePath) not found"),
                                          followingTrustedLinks: true)
        let key = try TrustedFile(path: keyPath, role: "TLS key", missing: AccountsError(.configuration, "TLS key \(keyPath) not found"),
                                  followingTrustedLinks: true)
        if key.mode & 0o077 != 0 {
            throw AccountsError(.configuration, "TLS key \(keyPath) can be read by other users (\(FilePermissions.modeText(key.mode))); run: chmod 600 \(keyPath)")
        }
        let leaf: OpaquePointer? = certificate.contents.withUnsafeBytes { bytes in
            let bio = BIO_new_mem_buf(bytes.baseAddress, Int32(bytes.count))
            defer { BIO_free(bio) }
            return PEM_read_bio_X509(bio, nil, nil, nil)
        }
        guard let leaf else { throw AccountsError(.configuration, "TLS certificate \(certificatePath) is not a PEM certificate chain") }
        defer { X509_free(leaf) }
        let privateKey: OpaquePointer? = key.contents.withUnsafeBytes { bytes in
            let bio = BIO_new_mem_buf(bytes.baseAddress, Int32(bytes.count))
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
        guard let privateKey else {
            throw AccountsError(.configuration, "TLS key \(keyPath) is not a PEM private key (an encrypted key needs its passphrase removed)")
        }
        defer { EVP_PKEY_free(privateKey) }
        guard X509_check_private_key(leaf, privateKey) == 1 else {
            ERR_clear_error()
            throw AccountsError(.configuration, "TLS key \(keyPath) does not go with the certificate \(certificatePath)")
        }
        var notAfter: UTCDateTime?
        if let end = X509_get0_notAfter(leaf) {
            var parsed = tm()
            if ASN1_TIME_to_tm(end, &parsed) == 1 { notAfter = UTCDateTime(epochSeconds: Int64(timegm(&parsed))) }
        }
        return Verdict(notAfter: notAfter)
    }
}
