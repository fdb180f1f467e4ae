import Foundation
import Glibc

/// `accounts check`, as Django's `manage.py check --deploy`: every setting, file and service the
/// tool relies on, judged without changing anything, one `Finding` each. A check that cannot run
/// (no secrets file, no database) is itself a finding; the others go on.
public struct DeploymentCheck {
    /// What `serve` will be started with, where the operator says so.
    public struct ServeOptions: Sendable {
        public var tlsCertificate: String?
        public var tlsKey: String?
        public var maximumConnections: Int

        public init(tlsCertificate: String? = nil, tlsKey: String? = nil, maximumConnections: Int = 512) {
            self.tlsCertificate = tlsCertificate
            self.tlsKey = tlsKey
            self.maximumConnections = maximumConnections
        }
    }

    let settings: Settings
    let serve: ServeOptions
    /// Connects to the SMTP server as `check-smtp` does (EHLO, TLS, AUTH, QUIT), when asked.
    let connectSMTP: ((SMTPConfiguration) throws -> Void)?
    let now: UTCDateTime

    public init(settings: Settings, serve: ServeOptions = ServeOptions(), connectSMTP: ((SMTPConfiguration) throws -> Void)? = nil,
                now: UTCDateTime = .now()) {
        self.settings = settings
        self.serve = serve
        self.connectSMTP = connectSMTP
        self.now = now
    }

    /// The settings could not be read at all: that is the one finding.
    public static func unreadableSettings(_ error: AccountsError) -> [Finding] {
        [Finding("E001", .error, error.message, fix: "correct the settings (docs/configuration.md); nothing else can be checked before")]
    }

    public func run() -> [Finding] {
        var findings: [Finding] = []
        let secrets = checkSecrets(&findings)
        checkDatabase(&findings, password: secrets?.databasePassword)
        checkSettings(&findings)
        checkMail(&findings, password: secrets?.emailHostPassword)
        checkServe(&findings)
        checkPasswords(&findings)
        return findings.sorted { ($0.severity, $0.id) < ($1.severity, $1.id) }
    }

    // MARK: - Secrets

    private func checkSecrets(_ findings: inout [Finding]) -> Secrets? {
        let path = settings.secretsFile
        let secrets: Secrets
        do {
            secrets = try Secrets.load(path: path, allowInsecure: true)
        } catch let error as AccountsError {
            findings.append(Finding("E002", .error, error.message, fix: "see secrets.example.json for its shape; 'accounts init' writes one with a random SECRET_KEY"))
            return nil
        } catch {
            findings.append(Finding("E002", .error, "secrets file \(path): \(error)"))
            return nil
        }
        if let mode = try? TrustedFile(path: path, role: "secrets file", missing: AccountsError(.configuration, "")).mode, mode & 0o077 != 0 {
            findings.append(Finding("E003", .error, "secrets file \(path) can be read by other users (\(FilePermissions.modeText(mode))): with its SECRET_KEY anyone could forge links",
                                    fix: "chmod 600 \(path)"))
        }
        if let weakness = Secrets.weakness(of: secrets.secretKey) {
            findings.append(Finding("W009", .warning, "SECRET_KEY \(weakness), so it is easier to guess and links easier to forge (Django's security.W009)",
                                    fix: "generate a long random one (50 characters or more); links signed with the old one keep working if it moves to SECRET_KEY_FALLBACKS"))
        }
        for (index, fallback) in secrets.secretKeyFallbacks.enumerated() {
            if let weakness = Secrets.weakness(of: fallback) {
                findings.append(Finding("W025", .warning, "SECRET_KEY_FALLBACKS[\(index)] \(weakness) (Django's security.W025)",
                                        fix: "drop it once the links it signed have expired (PASSWORD_RESET_TIMEOUT)"))
            }
        }
        return secrets
    }

    // MARK: - The database

    private func checkDatabase(_ findings: inout [Finding], password: String?) {
        let location: DatabaseLocation
        do {
            location = try DatabaseLocation(settings.database)
        } catch let error as AccountsError {
            findings.append(Finding("E010", .error, "DATABASE: \(error.message)"))
            return
        } catch {
            return
        }
        do {
            let status = try Stores.schemaStatus(location) { password }
            if !status.pendingMigrations.isEmpty {
                findings.append(Finding("W012", .warning, "the database \(location) lacks \(status.pendingMigrations.count) migration(s) (\(status.pendingMigrations.joined(separator: "; "))): the next command will apply them",
                                        fix: "run 'accounts init' (or any command) once, at a quiet moment"))
            }
            if !status.hasUsersTable {
                findings.append(Finding("E011", .error, "the database \(location) has no users table", fix: "accounts init"))
            } else if let django = status.madeByDjango {
                findings.append(Finding("I013", .info, django ? "the users table was made by Django's migrate and is adopted as it is" : "the users table was made by accounts"))
            }
        } catch let error as AccountsError {
            findings.append(Finding("E010", .error, "the database cannot be used: \(error.message)", fix: error.kind == .noInput ? "accounts init" : nil))
        } catch {
            findings.append(Finding("E010", .error, "the database cannot be used: \(error)"))
        }
        if case .sqlite(let path) = location {
            var info = stat()
            if stat(path, &info) == 0 {
                if info.st_mode & 0o004 != 0 {
                    findings.append(Finding("W014", .warning, "database \(path) can be read by other users (\(FilePermissions.modeText(info.st_mode))), and it holds password hashes",
                                            fix: "chmod o-r \(path) (and its -wal and -shm files)"))
                }
                if info.st_uid != geteuid() && info.st_uid != 0 {
                    findings.append(Finding("W016", .warning, "database \(path) belongs to \(TrustedFile.userName(info.st_uid)), not to \(TrustedFile.userName(geteuid())) who runs accounts",
                                            fix: "run accounts as its owner (sudo -u), or chown the file"))
                }
            }
            directoryNotWritableByOthers(FilePermissions.directory(of: path), holding: "the database", id: "E015", &findings)
        }
    }

    // MARK: - Settings that decide what users see

    private func checkSettings(_ findings: inout [Finding]) {
        if !settings.sourceKeys.contains("TIME_ZONE") {
            findings.append(Finding("W020", .warning, "TIME_ZONE is not set (UTC): token timestamps are wall-clock seconds in the site's zone, so it must be the Django site's",
                                    fix: "set TIME_ZONE to the Django site's, even if that is UTC (docs/configuration.md)"))
        }
        // Settings.validate has refused an ACTIVATION_URL no link could be read back from (E001).
        guard let template = try? settings.linkTemplate() else { return }
        if template.scheme != "https" {
            findings.append(Finding("W021", .warning, "ACTIVATION_URL is not https (\(printable(settings.activationURL))): the token crosses the network in clear, and browsers send no Sec-Fetch-Site over http",
                                    fix: "an https:// URL, with TLS on serve (--tls-cert) or nginx in front (docs/serve.md)"))
        }
        if let host = template.host, host == "localhost" || host.hasSuffix(".localhost") || host.hasPrefix("127.") || host == "example.com" || host.hasSuffix(".example.com") {
            findings.append(Finding("W023", .warning, "ACTIVATION_URL points at \(host): links mailed from here work nowhere but on this machine (or nowhere)",
                                    fix: "the site's public address, such as https://www.your-site.tld/users/activate/{uid}/{token}/"))
        }
    }

    // MARK: - Mail

    private func checkMail(_ findings: inout [Finding], password: String?) {
        let from = MailMessage.split(mailbox: settings.defaultFromEmail).address
        let fromDomain = from.split(separator: "@").last.map { $0.lowercased() } ?? ""
        if fromDomain == "localhost" || !fromDomain.contains(".") {
            findings.append(Finding("W030", .warning, "DEFAULT_FROM_EMAIL is \(printable(settings.defaultFromEmail)): relays refuse or junk mail from an address without a real domain",
                                    fix: "an address of the site's own domain, such as \"Site <no-reply@your-site.tld>\""))
        }
        switch settings.resolvedEmailBackend {
        case .file:
            findings.append(Finding("I031", .info, "mail is written to files in \(settings.emailFilePath)/ (no EMAIL_HOST): nobody receives it",
                                    fix: "set EMAIL_HOST and friends to send it (docs/smtp.md)"))
            mailDirectory(&findings)
            return
        case .console:
            findings.append(Finding("I031", .info, "mail is printed on stderr (EMAIL_BACKEND console): nobody receives it"))
            return
        case .smtp:
            break
        }
        let configuration: SMTPConfiguration
        do {
            configuration = try SMTPConfiguration(settings: settings, password: password)
        } catch let error as AccountsError {
            findings.append(Finding("E032", .error, error.message, fix: "docs/smtp.md"))
            return
        } catch {
            return
        }
        let host = configuration.host.lowercased()
        if let relayDomain = Self.registrableDomain(host), let senderDomain = Self.registrableDomain(fromDomain), relayDomain != senderDomain,
           ["gmail.com", "naver.com", "outlook.com", "office365.com", "yahoo.com", "daum.net"].contains(relayDomain) {
            findings.append(Finding("W033", .warning, "DEFAULT_FROM_EMAIL is @\(fromDomain) but mail goes through \(host): that provider rewrites or refuses another domain's sender, and SPF/DMARC fail",
                                    fix: "send as an address of that account, or through a relay of @\(fromDomain)'s own"))
        }
        switch (configuration.security, configuration.port) {
        case (.implicitTLS, 587), (.implicitTLS, 25):
            findings.append(Finding("W034", .warning, "EMAIL_USE_SSL with port \(configuration.port): that port speaks plain SMTP then STARTTLS", fix: "EMAIL_USE_TLS with 587, or EMAIL_USE_SSL with 465"))
        case (.startTLS, 465), (.none, 465):
            findings.append(Finding("W034", .warning, "port 465 expects TLS from the first byte, and EMAIL_USE_SSL is not set", fix: "EMAIL_USE_SSL true with 465, or EMAIL_USE_TLS with 587"))
        default:
            break
        }
        if configuration.security == .none && !configuration.isLoopback {
            let severity: Finding.Severity = configuration.username.isEmpty ? .warning : .error
            findings.append(Finding(severity == .error ? "E035" : "W035", severity,
                                    "mail to \(configuration.server) goes in clear (neither EMAIL_USE_TLS nor EMAIL_USE_SSL)" + (configuration.username.isEmpty ? ": activation links cross the network for anyone on the path" : ", and EMAIL_HOST_USER is set: the password would too (refused)"),
                                    fix: "EMAIL_USE_TLS true (port 587) or EMAIL_USE_SSL true (465)"))
        }
        if !configuration.username.isEmpty && configuration.password == nil {
            findings.append(Finding("E036", .error, "EMAIL_HOST_USER is set, and the secrets file has no EMAIL_HOST_PASSWORD", fix: "put it in the secrets file"))
        }
        if let connectSMTP {
            do {
                try connectSMTP(configuration)
                findings.append(Finding("I037", .info, "SMTP \(configuration.server): connected" + (configuration.security == .none ? "" : ", TLS verified") + (configuration.username.isEmpty ? "" : ", authenticated")))
            } catch let error as AccountsError {
                findings.append(Finding("E037", .error, "SMTP \(configuration.server): \(error.message)", fix: "accounts check-smtp shows every step"))
            } catch {
                findings.append(Finding("E037", .error, "SMTP \(configuration.server): \(error)", fix: "accounts check-smtp shows every step"))
            }
        }
    }

    private func mailDirectory(_ findings: inout [Finding]) {
        let path = settings.emailFilePath
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & 0o005 != 0 {
            findings.append(Finding("W038", .warning, "mail directory \(path) can be listed or read by other users (\(FilePermissions.modeText(info.st_mode))): its mails hold working links",
                                    fix: "chmod 700 \(path)"))
        }
        directoryNotWritableByOthers(path, holding: "mail", id: "E039", &findings)
    }

    // MARK: - serve

    private func checkServe(_ findings: inout [Finding]) {
        if let certificate = serve.tlsCertificate, let key = serve.tlsKey {
            do {
                let verdict = try TLSFiles.check(certificate: certificate, key: key)
                if let notAfter = verdict.notAfter {
                    if notAfter <= now {
                        findings.append(Finding("E040", .error, "TLS certificate \(certificate) expired at \(notAfter.wholeSecondsText) UTC", fix: "renew it (certbot renew), then restart serve"))
                    } else if notAfter.epochSeconds - now.epochSeconds < 14 * 86_400 {
                        findings.append(Finding("W040", .warning, "TLS certificate \(certificate) expires at \(notAfter.wholeSecondsText) UTC, in under two weeks",
                                                fix: "renew it (certbot renew), then restart serve"))
                    }
                }
            } catch let error as AccountsError {
                findings.append(Finding("E041", .error, error.message))
            } catch {}
        }
        for range in settings.trustedProxies where range.prefixLength == 0 {
            findings.append(Finding("W042", .warning, "TRUSTED_PROXIES holds a network of every address (/0): any client may write its own X-Forwarded-For, choose its rate-limit bucket and claim HTTPS",
                                    fix: "list the proxies' own addresses only, such as 127.0.0.1"))
        }
        var limit = rlimit()
        let needed = serve.maximumConnections + ActivationFiles.reserve
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_max < rlim_t(needed) {
            findings.append(Finding("W043", .warning, "serve with --max-connections \(serve.maximumConnections) needs about \(needed) open files, and this process may open \(limit.rlim_max)",
                                    fix: "LimitNOFILE= in the unit (the package's is 1024 for 512), or a lower --max-connections"))
        }
    }

    // MARK: - Passwords

    private func checkPasswords(_ findings: inout [Finding]) {
        let iterations = settings.passwordIterations
        if let version = settings.djangoVersion, let site = PasswordHasher.iterations(forDjango: version), iterations < site {
            findings.append(Finding("W050", .warning, "PBKDF2_ITERATIONS is \(iterations), below Django \(version)'s \(site): passwords accounts sets are weaker than the site's own until their next login",
                                    fix: "remove PBKDF2_ITERATIONS (DJANGO_VERSION then decides), or raise it to \(site)"))
        } else if settings.djangoVersion == nil && settings.pbkdf2Iterations == nil {
            findings.append(Finding("I051", .info, "passwords are hashed at Django 5.2's work factor (\(PasswordHasher.defaultIterations)); a Django 6 site raises it",
                                    fix: "set DJANGO_VERSION to the site's (docs/django.md)"))
        }
    }

    // MARK: - Helpers

    private func directoryNotWritableByOthers(_ directory: String, holding what: String, id: String, _ findings: inout [Finding]) {
        var info = stat()
        if stat(directory, &info) == 0, info.st_mode & 0o002 != 0, info.st_mode & S_ISVTX == 0 {
            findings.append(Finding(id, .error, "directory \(directory), which holds \(what), can be written by every user (\(FilePermissions.modeText(info.st_mode))): they could plant or swap files there",
                                    fix: "chmod o-w \(directory)"))
        }
    }

    /// `example.co.kr` of `mail.example.co.kr`: the last two labels, three under a two-letter
    /// country's second level (co.kr, co.uk, ...). Good enough to tell one provider from another.
    static func registrableDomain(_ host: String) -> String? {
        let labels = host.split(separator: ".")
        guard labels.count >= 2 else { return nil }
        let count = labels.count >= 3 && labels[labels.count - 2].count <= 3 && labels.last!.count == 2 ? 3 : 2
        return labels.suffix(count).joined(separator: ".")
    }
}

/// Open files `serve` needs beside its connections: listeners, the store's, the threads', logs.
public enum ActivationFiles {
    public static let reserve = 100
}
