import Foundation

/// What secrets.json holds, as in the Django site it shares with: SECRET_KEY,
/// SECRET_KEY_FALLBACKS and EMAIL_HOST_PASSWORD. Never printed, never in an error message.
public struct Secrets: Sendable {
    public var secretKey: String
    public var secretKeyFallbacks: [String]
    public var emailHostPassword: String?

    /// A warning for the operator (the file is readable by others and that was allowed), if any.
    public var warning: String?

    /// Reads the secrets file. One that group or others can read is refused unless
    /// `allowInsecure`: its SECRET_KEY lets anyone forge activation links.
    public static func load(path: String, allowInsecure: Bool = false) throws -> Secrets {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw AccountsError(.configuration, "secrets file \(path) not found; create one with 'accounts init' (its shape is in secrets.example.json), or point --secrets or ACCOUNTS_SECRETS at it")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw AccountsError(.configuration, "secrets file \(path) is not a regular file")
        }
        let mode = String(info.st_mode & 0o777, radix: 8)
        if info.st_mode & 0o077 != 0 && !allowInsecure {
            throw AccountsError(.configuration, "secrets file \(path) can be read by other users (mode \(mode)): with its SECRET_KEY anyone could forge activation links; run chmod 600 \(path), or pass --allow-insecure-secrets")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AccountsError(.configuration, "secrets file \(path) cannot be read (check its owner and permissions)")
        }
        let object: [String: JSONValue]
        do {
            object = try JSONDecoder().decode([String: JSONValue].self, from: data)
        } catch {
            // Deliberately not the decoder's message: it may quote the file's content.
            throw AccountsError(.configuration, "secrets file \(path) is not a JSON object; see secrets.example.json for its shape")
        }
        guard case .string(let key)? = object["SECRET_KEY"], !key.isEmpty else {
            throw AccountsError(.configuration, "secrets file \(path) has no SECRET_KEY (a non-empty string); 'accounts init' writes a new file with a random one")
        }
        var fallbacks: [String] = []
        switch object["SECRET_KEY_FALLBACKS"] {
        case nil, .null?: break
        case .array(let values)?:
            for value in values {
                guard case .string(let fallback) = value, !fallback.isEmpty else {
                    throw AccountsError(.configuration, "secrets file \(path): SECRET_KEY_FALLBACKS must be a list of non-empty strings")
                }
                fallbacks.append(fallback)
            }
        case let other?:
            throw AccountsError(.configuration, "secrets file \(path): SECRET_KEY_FALLBACKS must be a list of strings, not \(other.kindName)")
        }
        var password: String?
        switch object["EMAIL_HOST_PASSWORD"] {
        case nil, .null?: break
        case .string(let text)?: password = text.isEmpty ? nil : text
        case let other?:
            throw AccountsError(.configuration, "secrets file \(path): EMAIL_HOST_PASSWORD must be a string, not \(other.kindName)")
        }
        var secrets = Secrets(secretKey: key, secretKeyFallbacks: fallbacks, emailHostPassword: password)
        if info.st_mode & 0o077 != 0 {
            secrets.warning = "warning: secrets file \(path) can be read by other users (mode \(mode)); run: chmod 600 \(path)"
        }
        return secrets
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
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
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
