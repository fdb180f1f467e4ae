import COpenSSL
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// TLS over a connected TCP stream through the system OpenSSL: TLS 1.2 or newer, the system
/// trust roots plus the certificates of EMAIL_SSL_CAFILE (read and checked with the settings),
/// SNI, and host name verification. There is no way to switch verification off.
final class TLSStream: ByteStream {
    private let tcp: TCPStream
    private let context: OpaquePointer
    private let ssl: OpaquePointer

    /// Performs the handshake; throws `.tls` with OpenSSL's reason when it or the certificate fails.
    init(over tcp: TCPStream, host: String, certificates: Data?, deadline: Deadline) throws(StreamFailure) {
        self.tcp = tcp
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw .tls("cannot create a TLS context: \(Self.lastError())") }
        guard let ssl = SSL_new(context) else {
            SSL_CTX_free(context)
            throw .tls("cannot create a TLS session: \(Self.lastError())")
        }
        self.context = context
        self.ssl = ssl
        guard accounts_ssl_ctx_set_min_tls12(context) == 1 else { throw .tls("cannot require TLS 1.2") }
        guard SSL_CTX_set_default_verify_paths(context) == 1 else { throw .tls("cannot load the system trust roots: \(Self.lastError())") }
        if let certificates {
            try Self.trust(certificates, in: context)
        }
        SSL_set_verify(ssl, SSL_VERIFY_PEER, nil)
        guard SSL_set1_host(ssl, host) == 1 else { throw .tls("cannot set the host name to verify") }
        // SNI only for names; RFC 6066 forbids IP addresses there.
        if !Self.isIPAddress(host) { _ = accounts_ssl_set_sni(ssl, host) }
        guard SSL_set_fd(ssl, tcp.descriptor) == 1 else { throw .tls("cannot attach TLS to the socket") }
        while true {
            let result = SSL_connect(ssl)
            if result == 1 { break }
            let code = SSL_get_error(ssl, result)
            if code == SSL_ERROR_WANT_READ {
                try TCPStream.wait(tcp.descriptor, for: Int16(POLLIN), deadline: deadline)
            } else if code == SSL_ERROR_WANT_WRITE {
                try TCPStream.wait(tcp.descriptor, for: Int16(POLLOUT), deadline: deadline)
            } else {
                let verify = SSL_get_verify_result(ssl)
                if verify != X509_V_OK {
                    throw .tls("certificate verification failed: \(String(cString: X509_verify_cert_error_string(verify)))")
                }
                throw .tls("TLS handshake failed: \(Self.lastError())")
            }
        }
    }

    func read(maximum: Int, deadline: Deadline) throws(StreamFailure) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            var count = 0
            let result = SSL_read_ex(ssl, &buffer, maximum, &count)
            if result == 1 { return Array(buffer.prefix(count)) }
            switch SSL_get_error(ssl, result) {
            case SSL_ERROR_WANT_READ: try TCPStream.wait(tcp.descriptor, for: Int16(POLLIN), deadline: deadline)
            case SSL_ERROR_WANT_WRITE: try TCPStream.wait(tcp.descriptor, for: Int16(POLLOUT), deadline: deadline)
            case SSL_ERROR_ZERO_RETURN: return []
            case SSL_ERROR_SYSCALL where ERR_peek_error() == 0: return []
            default: throw .io("TLS read failed: \(Self.lastError())")
            }
        }
    }

    func write(_ bytes: [UInt8], deadline: Deadline) throws(StreamFailure) {
        var offset = 0
        while offset < bytes.count {
            var count = 0
            let result = bytes[offset...].withUnsafeBytes { SSL_write_ex(ssl, $0.baseAddress, $0.count, &count) }
            if result == 1 {
                offset += count
                continue
            }
            switch SSL_get_error(ssl, result) {
            case SSL_ERROR_WANT_READ: try TCPStream.wait(tcp.descriptor, for: Int16(POLLIN), deadline: deadline)
            case SSL_ERROR_WANT_WRITE: try TCPStream.wait(tcp.descriptor, for: Int16(POLLOUT), deadline: deadline)
            case SSL_ERROR_ZERO_RETURN: throw .closed
            default: throw .io("TLS write failed: \(Self.lastError())")
            }
        }
    }

    /// "TLSv1.3, TLS_AES_256_GCM_SHA384": what was negotiated, for check-smtp.
    var negotiated: String {
        let version = String(cString: SSL_get_version(ssl))
        guard let cipher = SSL_get_current_cipher(ssl) else { return version }
        return version + ", " + String(cString: SSL_CIPHER_get_name(cipher))
    }

    func close() {
        _ = SSL_shutdown(ssl)
        tcp.close()
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    /// Adds every PEM certificate in `pem` to the context's trust store.
    private static func trust(_ pem: Data, in context: OpaquePointer) throws(StreamFailure) {
        let store = SSL_CTX_get_cert_store(context)
        var added = 0
        let result: StreamFailure? = pem.withUnsafeBytes { bytes in
            guard let bio = BIO_new_mem_buf(bytes.baseAddress, Int32(bytes.count)) else { return .tls("cannot read EMAIL_SSL_CAFILE") }
            defer { BIO_free(bio) }
            while let certificate = PEM_read_bio_X509(bio, nil, nil, nil) {
                defer { X509_free(certificate) }
                if X509_STORE_add_cert(store, certificate) == 1 { added += 1 }
            }
            ERR_clear_error() // the loop ends on "no start line": the end of the file
            return nil
        }
        if let result { throw result }
        guard added > 0 else { throw .tls("EMAIL_SSL_CAFILE holds no PEM certificate") }
    }

    private static func lastError() -> String {
        let code = ERR_get_error()
        guard code != 0 else { return "connection closed by the server" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
