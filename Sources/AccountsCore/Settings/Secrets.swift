import Foundation

/// What secrets.json holds, as in the Django site it shares with: SECRET_KEY,
/// SECRET_KEY_FALLBACKS and EMAIL_HOST_PASSWORD; and DATABASE_PASSWORD, for a PostgreSQL server
/// (Django's DATABASES PASSWORD). Never printed, never in an error message.
public struct Secrets: Sendable {
    public var secretKey: String
    public var secretKeyFallbacks: [String]
    public var emailHostPassword: String?
    public var databasePassword: String?

    /// Warnings for the operator: the file is readable by others and that was allowed, or a
    /// key is weak (Django's security.W009 and W025).
    public var warnings: [String] = []

    /// Reads the secrets file (see `TrustedFile` for the checks every such file gets). One that
    /// group or others can read is refused unless `allowInsecure`: its SECRET_KEY lets anyone
    /// forge activation links. A blank key is refused; a weak one is warned about.
    public static func load(path: String, allowInsecure: Bool = false) throws -> Secrets {
        let file = try TrustedFile(path: path, role: "secrets file", missing: AccountsError(.configuration, "secrets file \(path) not found", hint: .createSecrets))
        let mode = FilePermissions.modeText(file.mode)
        if file.mode & 0o077 != 0 && !allowInsecure {
            throw AccountsError(.configuration, "secrets file \(path) can be read by other users (\(mode)): with its SECRET_KEY anyone could forge activation links; run chmod 600 \(path)",
                                hint: .allowInsecureSecrets)
        }
        let object: [String: JSONValue]
        do {
            object = try JSONDecoder().decode([String: JSONValue].self, from: file.contents)
        } catch {
            // Deliberately not the decoder's message: it may quote the file's content.
            throw AccountsError(.configuration, "secrets file \(path) is not a JSON object; see secrets.example.json for its shape")
        }
        guard case .string(let key)? = object["SECRET_KEY"], !key.isEmpty else {
            throw AccountsError(.configuration, "secrets file \(path) has no SECRET_KEY (a non-empty string)", hint: .newSecretsHaveARandomKey)
        }
        guard !isBlank(key) else {
            throw AccountsError(.configuration, "secrets file \(path): SECRET_KEY is blank, so anyone could forge activation links; put a long random key there", hint: .newSecretsHaveARandomKey)
        }
        var fallbacks: [String] = []
        switch object["SECRET_KEY_FALLBACKS"] {
        case nil, .null?: break
        case .array(let values)?:
            for value in values {
                guard case .string(let fallback) = value, !isBlank(fallback) else {
                    throw AccountsError(.configuration, "secrets file \(path): SECRET_KEY_FALLBACKS must be a list of non-blank strings")
                }
                fallbacks.append(fallback)
            }
        case let other?:
            throw AccountsError(.configuration, "secrets file \(path): SECRET_KEY_FALLBACKS must be a list of strings, not \(other.kindName)")
        }
        func password(_ name: String) throws -> String? {
            switch object[name] {
            case nil, .null?: return nil
            case .string(let text)?: return text.isEmpty ? nil : text
            case let other?:
                throw AccountsError(.configuration, "secrets file \(path): \(name) must be a string, not \(other.kindName)")
            }
        }
        var secrets = Secrets(secretKey: key, secretKeyFallbacks: fallbacks, emailHostPassword: try password("EMAIL_HOST_PASSWORD"),
                              databasePassword: try password("DATABASE_PASSWORD"))
        if file.mode & 0o077 != 0 {
            secrets.warnings.append("secrets file \(path) can be read by other users (\(mode)); run: chmod 600 \(path)")
        }
        if let weakness = weakness(of: key) {
            secrets.warnings.append("secrets file \(path): SECRET_KEY \(weakness), so it is easier to guess and links easier to forge; generate a long random one (Django's security.W009)")
        }
        for (index, fallback) in fallbacks.enumerated() {
            if let weakness = weakness(of: fallback) {
                secrets.warnings.append("secrets file \(path): SECRET_KEY_FALLBACKS[\(index)] \(weakness) (Django's security.W025)")
            }
        }
        return secrets
    }

    private static func isBlank(_ key: String) -> Bool {
        key.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
    }

    /// Django's `_check_secret_key`: at least 50 characters, at least 5 distinct, and not one
    /// that `startproject` made for development. nil when the key passes.
    static func weakness(of key: String) -> String? {
        if key.hasPrefix("django-insecure-") { return "is the development key Django's startproject made" }
        if key.count < 50 { return "has fewer than 50 characters" }
        if Set(key).count < 5 { return "has fewer than 5 distinct characters" }
        return nil
    }

    /// Writes a new secrets file with a fresh random SECRET_KEY, mode 0600, refusing to
    /// replace an existing one (that would invalidate every link already mailed).
    public static func create(path: String) throws {
        let key = OpenSSLCrypto.randomString(length: 50, alphabet: Array("abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)"))
        let content = """
            {
              "SECRET_KEY": "\(key)",
              "SECRET_KEY_FALLBACKS": [],
              "EMAIL_HOST_PASSWORD": ""
            }

            """
        if !TrustedFile.exists(path) { try FilePermissions.requireCreatable(path, what: "the secrets file") }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            if errno == EEXIST {
                throw AccountsError(.cannotCreate, "secrets file \(path) already exists; not replacing it (a new SECRET_KEY would invalidate every link already sent)")
            }
            throw AccountsError(.ioError, "cannot create secrets file \(path): \(String(cString: strerror(errno)))")
        }
        let bytes = Array(content.utf8)
        let written = write(descriptor, bytes, bytes.count)
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == bytes.count, synced == 0 else {
            unlink(path)
            throw AccountsError(.ioError, "cannot write secrets file \(path)")
        }
    }
}
