#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Where and how to deliver: Django's EMAIL_* settings plus EMAIL_HOST_PASSWORD from secrets.
public struct SMTPConfiguration: Sendable {
    public enum Security: String, Sendable {
        /// Plain text. Only allowed without AUTH.
        case none
        /// EMAIL_USE_TLS: STARTTLS, fail-closed (usually port 587).
        case startTLS
        /// EMAIL_USE_SSL: TLS from the first byte (usually port 465).
        case implicitTLS
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String
    public var password: String?
    public var timeout: Int
    /// EMAIL_SSL_CAFILE, read (and checked) when the settings were: PEM certificates to trust
    /// besides the system's roots.
    public var caCertificates: Data?
    /// The name we give in EHLO; nil: our end of the connection as an address literal.
    public var ehloName: String?

    public init(host: String, port: Int, security: Security, username: String = "", password: String? = nil,
                timeout: Int = 30, caCertificates: Data? = nil, ehloName: String? = SMTPConfiguration.fullyQualifiedHostName()) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.timeout = timeout
        self.caCertificates = caCertificates
        self.ehloName = ehloName
    }

    /// Everything a relay could refuse us for is checked here, before any connection: a CA file
    /// that is missing, unreadable, or not ours to trust is a configuration error (78).
    public init(settings: Settings, password: String?) throws {
        guard let host = settings.emailHost, !host.isEmpty else {
            if settings.sourceKeys.contains("EMAIL_BACKEND") {
                throw AccountsError(.configuration, "EMAIL_BACKEND is smtp but EMAIL_HOST is not set")
            }
            throw AccountsError(.configuration, "no SMTP server is configured: set EMAIL_HOST (with EMAIL_PORT, and EMAIL_USE_TLS or EMAIL_USE_SSL, and EMAIL_HOST_USER if it wants AUTH) in the settings, and EMAIL_HOST_PASSWORD in the secrets file; docs/smtp.md has them for common providers")
        }
        let security: Security = settings.emailUseSSL ? .implicitTLS : settings.emailUseTLS ? .startTLS : .none
        var certificates: Data?
        if let caFile = settings.emailSSLCAFile {
            // It decides which server is trusted with the password: the settings file's checks.
            certificates = try TrustedFile(path: caFile, role: "EMAIL_SSL_CAFILE", missing: AccountsError(.configuration, "EMAIL_SSL_CAFILE \(caFile) does not exist")).contents
        }
        self.init(host: host, port: settings.emailPort, security: security, username: settings.emailHostUser,
                  password: password, timeout: settings.emailTimeout, caCertificates: certificates,
                  ehloName: settings.emailEHLOName ?? Self.fullyQualifiedHostName())
    }

    /// host:port, with an IPv6 address in brackets ([::1]:587).
    public var server: String { (host.contains(":") ? "[\(host)]" : host) + ":\(port)" }

    /// The relay runs on this machine (localhost, 127.0.0.0/8, ::1): plain SMTP to it never
    /// crosses a network.
    public var isLoopback: Bool {
        let name = host.lowercased()
        if name == "localhost" || name.hasSuffix(".localhost") || name == "::1" || name == "[::1]" { return true }
        var address = in_addr()
        return inet_pton(AF_INET, name, &address) == 1 && UInt32(bigEndian: address.s_addr) >> 24 == 127
    }

    /// This machine's fully-qualified name, as Django's DNS_NAME finds it (Python's getfqdn():
    /// the canonical name of gethostname()); nil when it has none with a dot in it, which relays
    /// that check EHLO names refuse (504 5.5.2), so an address literal is said instead.
    public static func fullyQualifiedHostName() -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return nil }
        let name = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var hints = addrinfo()
        hints.ai_flags = AI_CANONNAME
        var list: UnsafeMutablePointer<addrinfo>?
        var candidates = [name]
        if getaddrinfo(name, nil, &hints, &list) == 0, let first = list {
            if let canonical = first.pointee.ai_canonname { candidates.insert(String(cString: canonical), at: 0) }
            freeaddrinfo(list)
        }
        return candidates.first { $0.contains(".") && isDomainName($0) }
    }

    /// [192.0.2.1] or [IPv6:2001:db8::1] (RFC 5321 4.1.3).
    static func isAddressLiteral(_ text: String) -> Bool {
        guard text.hasPrefix("["), text.hasSuffix("]"), text.count > 2 else { return false }
        var inner = text.dropFirst().dropLast()
        if inner.hasPrefix("IPv6:") { inner = inner.dropFirst(5) }
        return inner.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F")) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
        }
    }

    /// Letters, digits, hyphens and dots: a name EHLO can carry.
    static func isDomainName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(".") && !name.hasSuffix(".") && name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
        }
    }
}
