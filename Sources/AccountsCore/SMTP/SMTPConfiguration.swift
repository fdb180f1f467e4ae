#if canImport(Glibc)
import Glibc
#endif

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
    public var caFile: String?
    /// The name we give in EHLO.
    public var localName: String

    public init(host: String, port: Int, security: Security, username: String = "", password: String? = nil,
                timeout: Int = 30, caFile: String? = nil, localName: String? = nil) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.timeout = timeout
        self.caFile = caFile
        self.localName = localName ?? Self.hostName()
    }

    public init(settings: Settings, password: String?) throws {
        guard let host = settings.emailHost, !host.isEmpty else {
            throw AccountsError(.configuration, "EMAIL_BACKEND is smtp but EMAIL_HOST is not set")
        }
        let security: Security = settings.emailUseSSL ? .implicitTLS : settings.emailUseTLS ? .startTLS : .none
        self.init(host: host, port: settings.emailPort, security: security, username: settings.emailHostUser,
                  password: password, timeout: settings.emailTimeout, caFile: settings.emailSSLCAFile)
    }

    public var server: String { "\(host):\(port)" }

    /// The relay runs on this machine (localhost, 127.0.0.0/8, ::1): plain SMTP to it never
    /// crosses a network.
    public var isLoopback: Bool {
        let name = host.lowercased()
        if name == "localhost" || name.hasSuffix(".localhost") || name == "::1" || name == "[::1]" { return true }
        var address = in_addr()
        return inet_pton(AF_INET, name, &address) == 1 && UInt32(bigEndian: address.s_addr) >> 24 == 127
    }

    /// This machine's name for EHLO, as a domain (letters, digits, dots, hyphens), else "localhost".
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let valid = !name.isEmpty && name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
        }
        return valid ? name : "localhost"
    }
}
