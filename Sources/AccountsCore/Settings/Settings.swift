import Foundation

/// Everything configurable except secrets. Sources, later ones winning: built-in defaults,
/// the settings file (JSON, keys spelled as Django spells them), `ACCOUNTS_<KEY>` environment
/// variables, then command-line flags (applied by the executable).
public struct Settings: Sendable {
    /// A SQLite file, or a PostgreSQL URI (`DatabaseLocation`).
    public var database = "accounts.sqlite3"
    /// PostgreSQL: seconds one statement may run before it is cancelled (0: no bound).
    /// `serve` has its own, shorter one (--statement-timeout).
    public var databaseStatementTimeout: Int64 = 30
    public var secretsFile = "secrets.json"
    public var activationURL = "http://localhost:8000/users/activate/{uid}/{token}/"
    public var passwordResetTimeout: Int64 = 259_200
    public var timeZone = TimeZone(identifier: "UTC")!
    public var defaultFromEmail = "webmaster@localhost"
    /// nil: "smtp" when EMAIL_HOST is set, otherwise "file".
    public var emailBackend: MailBackendKind?
    public var emailFilePath = "outbox"
    public var emailHost: String?
    public var emailPort = 25
    public var emailHostUser = ""
    public var emailUseTLS = false
    public var emailUseSSL = false
    public var emailTimeout = 30
    public var emailSSLCAFile: String?
    /// The name said in EHLO; nil: this machine's fully-qualified name, else its address.
    public var emailEHLOName: String?
    public var defaultLevel: String? = "2"
    public var defaultDepartment: String? = "컴퓨터공학부"
    /// nil: the templates built into the binary.
    public var templatesDir: String?
    /// The Django release of the site that shares the table (`DJANGO_VERSION`, "6.1"): the
    /// PBKDF2 work factor follows its own unless PBKDF2_ITERATIONS says otherwise.
    public var djangoVersion: String?
    /// PBKDF2 iterations of the passwords accounts hashes; nil: DJANGO_VERSION's, else Django 5.2's.
    public var pbkdf2Iterations: Int?

    /// The work factor in effect.
    public var passwordIterations: Int {
        pbkdf2Iterations ?? djangoVersion.flatMap(PasswordHasher.iterations(forDjango:)) ?? PasswordHasher.defaultIterations
    }

    /// Seconds that must pass between two activation mails to one address.
    public var activationCooldown: Int64 = 60
    /// `serve`: how many new links a visitor may ask for, per account, with an expired one (each
    /// restarts the account's activation window); 0: the page offers none.
    public var activationResendLimit = 3
    /// `serve`: the pages' language when Accept-Language names none it has (ko or en).
    public var languageCode = "ko"
    /// `serve`: peers whose X-Forwarded-For and X-Forwarded-Proto are believed (a reverse proxy).
    public var trustedProxies: [AddressRange] = []
    /// `serve`: where a successful activation redirects to (a login page); nil: a result page.
    public var activationSuccessURL: String?
    /// `serve`: the IPv6 network a rate-limit bucket covers (one host usually holds a /64).
    public var rateLimitIPv6Prefix = 64

    /// The keys the settings file or the environment set (what was left at its default is not
    /// in here): `check` tells a chosen value from a default.
    public internal(set) var sourceKeys: Set<String> = []

    /// The languages `serve` has pages in.
    public static let pageLanguages = ["ko", "en"]

    public init() {}

    public static let defaultSettingsFile = "settings.json"
    /// Where an installed `accounts` (the Debian package) keeps its settings: read when there is
    /// no ./settings.json, as git reads /etc/gitconfig.
    public static let systemSettingsFile = "/etc/accounts/settings.json"
    public static let environmentPrefix = "ACCOUNTS_"
    /// ACCOUNTS_ variables that are no setting of the file (ACCOUNTS_SETTINGS names the file).
    static let environmentOnly = ["SETTINGS"]

    /// Defaults, then `file` (or ACCOUNTS_SETTINGS, or ./settings.json when it exists, else
    /// /etc/accounts/settings.json when that does), then the environment.
    public static func load(file: String?, environment: [String: String]) throws -> Settings {
        var settings = Settings()
        if let explicit = file ?? environment["ACCOUNTS_SETTINGS"] {
            try settings.apply(file: explicit)
        } else if let found = [defaultSettingsFile, systemSettingsFile].first(where: TrustedFile.exists) {
            try settings.apply(file: found)
        }
        for key in keys.keys.sorted() {
            if let text = environment[environmentPrefix + key] {
                try settings.set(key, .string(text), source: environmentPrefix + key)
            }
        }
        for variable in environment.keys.sorted() where variable.hasPrefix(environmentPrefix) {
            let key = String(variable.dropFirst(environmentPrefix.count))
            guard keys[key] == nil, !environmentOnly.contains(key) else { continue }
            // A setting file's unknown key is refused; a variable may be another program's, so it
            // is only warned about, with the name most likely meant.
            let meant = Suggestion.closest(to: key, among: Array(keys.keys) + environmentOnly).map { "; did you mean \(environmentPrefix)\($0)?" } ?? ""
            Warnings.once("\(variable) is not a setting accounts knows, and is ignored\(meant)")
        }
        try settings.validate()
        return settings
    }

    /// The mail backend in effect.
    public var resolvedEmailBackend: MailBackendKind {
        emailBackend ?? (emailHost?.isEmpty == false ? .smtp : .file)
    }

    /// ACTIVATION_URL, read (`LinkTemplate`): throws `.configuration` for a template no link could be read back from.
    public func linkTemplate() throws -> LinkTemplate {
        try LinkTemplate(activationURL)
    }

    public func validate() throws {
        _ = try linkTemplate()
        guard passwordResetTimeout > 0 else {
            throw AccountsError(.configuration, "PASSWORD_RESET_TIMEOUT must be a positive number of seconds")
        }
        guard activationCooldown >= 0 else {
            throw AccountsError(.configuration, "ACTIVATION_COOLDOWN must be zero or a positive number of seconds")
        }
        if defaultFromEmail.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw AccountsError(.configuration, "DEFAULT_FROM_EMAIL must not contain control characters such as line breaks")
        }
        if emailUseTLS && emailUseSSL {
            throw AccountsError(.configuration, "EMAIL_USE_TLS and EMAIL_USE_SSL are mutually exclusive; set only one to true")
        }
    }

    // MARK: - Keys

    private static let keys: [String: @Sendable (inout Settings, JSONValue, String) throws -> Void] = [
        "DATABASE": { settings, value, source in
            let text = try string(value, source)
            let location: DatabaseLocation
            do {
                location = try DatabaseLocation(text)
            } catch let error as AccountsError {
                throw AccountsError(.configuration, "\(source): \(error.message)")
            }
            // The settings file is not a secrets file: others may read it. (The environment is
            // the process's own, as PGPASSWORD is.)
            if case .postgres(let target) = location, target.containsPassword, source != environmentPrefix + "DATABASE" {
                throw AccountsError(.configuration, "\(source): the URI holds a password, and this file is no place for one", hint: .passwordNotInURI)
            }
            settings.database = text
        },
        "DATABASE_STATEMENT_TIMEOUT": { $0.databaseStatementTimeout = Int64(try integer($1, $2, range: 0...86_400)) },
        "SECRETS": { $0.secretsFile = try string($1, $2) },
        "ACTIVATION_URL": { $0.activationURL = try string($1, $2) },
        "PASSWORD_RESET_TIMEOUT": { $0.passwordResetTimeout = Int64(try integer($1, $2)) },
        "TIME_ZONE": { settings, value, source in
            let name = try string(value, source)
            guard let zone = TimeZone(identifier: name) else {
                throw AccountsError(.configuration, "\(source): unknown time zone '\(printable(name))' (use an IANA name such as Asia/Seoul or UTC)")
            }
            settings.timeZone = zone
        },
        "DEFAULT_FROM_EMAIL": { $0.defaultFromEmail = try string($1, $2) },
        "EMAIL_BACKEND": { settings, value, source in
            let name = try string(value, source)
            guard let kind = MailBackendKind(setting: name) else {
                throw AccountsError(.configuration, "\(source): unknown mail backend '\(printable(name))' (use file, console or smtp)")
            }
            settings.emailBackend = kind
        },
        "EMAIL_FILE_PATH": { $0.emailFilePath = try string($1, $2) },
        "EMAIL_HOST": { $0.emailHost = try optionalString($1, $2) },
        "EMAIL_PORT": { $0.emailPort = try integer($1, $2, range: 1...65535) },
        "EMAIL_HOST_USER": { $0.emailHostUser = try optionalString($1, $2) ?? "" },
        "EMAIL_USE_TLS": { $0.emailUseTLS = try boolean($1, $2) },
        "EMAIL_USE_SSL": { $0.emailUseSSL = try boolean($1, $2) },
        "EMAIL_TIMEOUT": { $0.emailTimeout = try integer($1, $2, range: 1...3600) },
        "EMAIL_SSL_CAFILE": { $0.emailSSLCAFile = try optionalString($1, $2) },
        "EMAIL_EHLO_NAME": { settings, value, source in
            let name = try optionalString(value, source)
            if let name, !SMTPConfiguration.isDomainName(name) && !SMTPConfiguration.isAddressLiteral(name) {
                throw AccountsError(.configuration, "\(source) must be a domain name (mail.example.com) or an address literal ([192.0.2.1])")
            }
            settings.emailEHLOName = name
        },
        "DEFAULT_LEVEL": { $0.defaultLevel = try optionalString($1, $2) },
        "DEFAULT_DEPARTMENT": { $0.defaultDepartment = try optionalString($1, $2) },
        "TEMPLATES_DIR": { $0.templatesDir = try optionalString($1, $2) },
        "DJANGO_VERSION": { settings, value, source in
            let version = try string(value, source)
            guard PasswordHasher.iterations(forDjango: version) != nil else {
                let known = PasswordHasher.djangoIterations.map(\.version).joined(separator: ", ")
                throw AccountsError(.configuration, "\(source): Django '\(printable(version))' is not one accounts knows (\(known)); give its PBKDF2 work factor in PBKDF2_ITERATIONS")
            }
            settings.djangoVersion = version
        },
        "PBKDF2_ITERATIONS": { $0.pbkdf2Iterations = try integer($1, $2, range: 1...Int(Int32.max)) },
        "ACTIVATION_COOLDOWN": { $0.activationCooldown = Int64(try integer($1, $2)) },
        "ACTIVATION_RESEND_LIMIT": { $0.activationResendLimit = try integer($1, $2, range: 0...100) },
        "LANGUAGE_CODE": { settings, value, source in
            // Django spells it "ko" or "en-us"; the pages come in the language, not the region.
            let code = try string(value, source).lowercased()
            let language = String(code.prefix { $0 != "-" && $0 != "_" })
            guard pageLanguages.contains(language) else {
                throw AccountsError(.configuration, "\(source): no pages in '\(printable(code))' (use one of \(pageLanguages.joined(separator: ", ")))")
            }
            settings.languageCode = language
        },
        "TRUSTED_PROXIES": { settings, value, source in
            // A JSON list in the file; a comma-separated string in the environment.
            let entries: [String]
            switch value {
            case .array(let items): entries = try items.map { try string($0, source) }
            case .string(let text): entries = text.split(separator: ",").map(String.init)
            default: throw AccountsError(.configuration, "\(source) must be a list of addresses or networks, such as [\"127.0.0.1\", \"10.0.0.0/8\"]")
            }
            settings.trustedProxies = try entries.map { entry in
                guard let range = AddressRange(entry) else {
                    throw AccountsError(.configuration, "\(source): '\(printable(entry))' is not an IP address or network (such as 10.0.0.0/8 or ::1)")
                }
                return range
            }
        },
        "RATE_LIMIT_IPV6_PREFIX": { $0.rateLimitIPv6Prefix = try integer($1, $2, range: 32...128) },
        "ACTIVATION_SUCCESS_URL": { settings, value, source in
            let url = try optionalString(value, source)
            if let url, !(url.hasPrefix("https://") || url.hasPrefix("http://") || (url.hasPrefix("/") && !url.hasPrefix("//"))) {
                throw AccountsError(.configuration, "\(source) must be an http(s) URL or a path starting with /, such as /login/")
            }
            if let url, url.unicodeScalars.contains(where: { !$0.isASCII || $0.properties.generalCategory == .control || $0 == " " }) {
                throw AccountsError(.configuration, "\(source) must be a URL without spaces, control characters or non-ASCII text (percent-encode them)")
            }
            settings.activationSuccessURL = url
        },
    ]

    /// Secrets belong in secrets.json only; finding one here is a mistake worth stopping for.
    private static let secretKeys: Set<String> = ["SECRET_KEY", "SECRET_KEY_FALLBACKS", "EMAIL_HOST_PASSWORD", "DATABASE_PASSWORD"]

    mutating func set(_ key: String, _ value: JSONValue, source: String) throws {
        guard let setter = Self.keys[key] else {
            throw AccountsError(.configuration, "\(source): unknown setting \(key)")
        }
        try setter(&self, value, source)
        sourceKeys.insert(key)
    }

    /// The settings file gets the checks of the secrets file (`TrustedFile`): it names the server
    /// that receives the SMTP password, and the CA that decides whether that server is genuine.
    private mutating func apply(file path: String) throws {
        let file = try TrustedFile(path: path, role: "settings file", missing: AccountsError(.configuration, "settings file \(path) does not exist"))
        let object: [String: JSONValue]
        do {
            object = try JSONDecoder().decode([String: JSONValue].self, from: file.contents)
        } catch {
            throw AccountsError(.configuration, "settings file \(path) is not a JSON object of settings")
        }
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            if Self.secretKeys.contains(key) {
                throw AccountsError(.configuration, "settings file \(path): \(key) is a secret; move it to the secrets file")
            }
            try set(key, value, source: "\(path): \(key)")
        }
    }

    // MARK: - Typed values (environment variables arrive as strings)

    private static func string(_ value: JSONValue, _ source: String) throws -> String {
        guard case .string(let text) = value else {
            throw AccountsError(.configuration, "\(source) must be a string, not \(value.kindName)")
        }
        return text
    }

    private static func optionalString(_ value: JSONValue, _ source: String) throws -> String? {
        if case .null = value { return nil }
        let text = try string(value, source)
        return text.isEmpty ? nil : text
    }

    private static func integer(_ value: JSONValue, _ source: String, range: ClosedRange<Int> = 0...Int(Int32.max)) throws -> Int {
        let number: Int?
        switch value {
        case .number(let double) where double == double.rounded() && abs(double) < 1e15: number = Int(double)
        case .string(let text): number = Int(text.trimmingCharacters(in: .whitespaces))
        default: number = nil
        }
        guard let number, range.contains(number) else {
            throw AccountsError(.configuration, "\(source) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    private static func boolean(_ value: JSONValue, _ source: String) throws -> Bool {
        switch value {
        case .bool(let flag): return flag
        case .string(let text):
            switch text.lowercased() {
            case "1", "true", "yes", "on": return true
            case "0", "false", "no", "off", "": return false
            default: break
            }
        default: break
        }
        throw AccountsError(.configuration, "\(source) must be true or false")
    }
}
