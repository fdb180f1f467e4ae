import AccountsCore
import Glibc
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// `accounts serve`: the activation pages over HTTP/1.1 until SIGTERM or SIGINT, after which it
/// stops accepting, finishes the requests in flight, and returns.
public struct ActivationServer: Sendable {
    public struct Options: Sendable {
        public var host: String
        /// 0: any free port (the "listening" line on stderr says which).
        public var port: Int
        /// Page templates replacing the built-in ones, file by file.
        public var templatesDirectory: String?
        /// Threads for store and mail calls: as many requests can wait on the database at once.
        public var threads: Int
        /// POSTs a client may make per minute (also the burst).
        public var postsPerMinute: Int
        /// No "listening" and "stopped" lines (the access log stays: it is the server's output).
        public var quiet: Bool
        /// HTTPS with this certificate (and HSTS); nil: plain HTTP, for behind a proxy.
        public var certificate: ServerCertificate?

        public init(host: String, port: Int, templatesDirectory: String?, threads: Int, postsPerMinute: Int, quiet: Bool,
                    certificate: ServerCertificate?) {
            self.host = host
            self.port = port
            self.templatesDirectory = templatesDirectory
            self.threads = threads
            self.postsPerMinute = postsPerMinute
            self.quiet = quiet
            self.certificate = certificate
        }
    }

    let options: Options
    let settings: Settings
    let store: AccountStore
    let links: ActivationLinks
    let makeMail: @Sendable () throws -> ActivationMail
    let route: ActivationRoute
    let templates: PageTemplates

    /// Checks what can be checked before listening: the route ACTIVATION_URL gives, the templates.
    public init(options: Options, settings: Settings, store: AccountStore, links: ActivationLinks,
                makeMail: @escaping @Sendable () throws -> ActivationMail) throws {
        self.options = options
        self.settings = settings
        self.store = store
        self.links = links
        self.makeMail = makeMail
        route = try ActivationRoute(activationURL: settings.activationURL)
        templates = try PageTemplates(directory: options.templatesDirectory)
    }

    public func run() async throws {
        let pool = NIOThreadPool(numberOfThreads: options.threads)
        pool.start()
        let site = ActivationSite(store: store, activation: ActivateWorkflow(store: store, tokens: links.tokens), links: links,
                                  cooldown: settings.activationCooldown, makeMail: makeMail)
        let responder = SiteResponder(
            site: site, route: route, templates: templates,
            securityHeaders: SecurityHeaders(styleHash: templates.styleHash, successURL: settings.activationSuccessURL),
            limiter: RateLimiter(perMinute: options.postsPerMinute), metrics: ServeMetrics(), pool: pool,
            window: links.tokens.window, trustedProxies: settings.trustedProxies, tls: options.certificate != nil,
            defaultLanguage: settings.languageCode, successURL: settings.activationSuccessURL)
        // Hummingbird's own messages: warnings and worse, on stderr (stdout stays empty).
        var logger = Logger(label: "accounts.serve") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let prefix = route.prefix, quiet = options.quiet
        let scheme = options.certificate == nil ? "http" : "https"
        let http1 = HTTPServerBuilder.http1(configuration: .init(idleTimeout: .seconds(60)))
        let app = Application(
            responder: responder,
            server: try options.certificate.map { try .tls(http1, tlsConfiguration: $0.configuration) } ?? http1,
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: nil),
            onServerRunning: { channel in
                guard !quiet else { return }
                let address = channel.localAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"
                StandardError.write("accounts serve: listening on \(scheme)://\(address) (activation links under \(prefix); /healthz, /metrics)\n")
            },
            logger: logger)
        do {
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } catch {
            try? await pool.shutdownGracefully()
            // NIO's IOError says which syscall failed; the operator needs why (EADDRINUSE, EACCES).
            let reason = (error as? IOError).map { String(cString: strerror($0.errnoCode)) } ?? "\(error)"
            throw AccountsError(.unavailable, "cannot serve on \(options.host):\(options.port): \(reason)")
        }
        try? await pool.shutdownGracefully()
        if !quiet { StandardError.write("accounts serve: stopped\n") }
    }
}
