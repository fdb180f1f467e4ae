import AccountsCore
import Foundation
import NIOSSL

/// `serve --tls-cert/--tls-key`: the certificate chain and its private key, both PEM. The key is
/// a secret: it is read like secrets.json (checked on the descriptor, ours or root's) and refused
/// when other users may read it; symbolic links are followed only where root or we made them in
/// directories others cannot write (certbot's live/ directory), never otherwise.
public struct ServerCertificate: Sendable {
    let configuration: TLSConfiguration

    public init(certificatePath: String, keyPath: String, allowReadableKey: Bool) throws {
        let certificateFile = try TrustedFile(path: certificatePath, role: "TLS certificate",
                                              missing: AccountsError(.configuration, "TLS certificate \(certificatePath) not found"),
                                              followingTrustedLinks: true)
        let keyFile = try TrustedFile(path: keyPath, role: "TLS key", missing: AccountsError(.configuration, "TLS key \(keyPath) not found"),
                                      followingTrustedLinks: true)
        if keyFile.mode & 0o077 != 0 && !allowReadableKey {
            throw AccountsError(.configuration, "TLS key \(keyPath) can be read by other users (\(FilePermissions.modeText(keyFile.mode))): whoever reads it can pose as this site; run: chmod 600 \(keyPath)")
        }
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(Array(certificateFile.contents))
        } catch {
            throw AccountsError(.configuration, "TLS certificate \(certificatePath) is not a PEM certificate chain")
        }
        guard !chain.isEmpty else { throw AccountsError(.configuration, "TLS certificate \(certificatePath) holds no certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: Array(keyFile.contents), format: .pem)
        } catch {
            throw AccountsError(.configuration, "TLS key \(keyPath) is not a PEM private key (an encrypted key needs its passphrase removed)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        // A key that does not belong to the certificate fails every handshake: find out now.
        do {
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw AccountsError(.configuration, "TLS key \(keyPath) does not go with the certificate \(certificatePath): \(error)")
        }
        self.configuration = configuration
    }
}
