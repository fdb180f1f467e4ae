import AccountsCore
import Glibc
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Fixed sizes `serve` plans its open files by.
public enum ActivationServerLimits {
    /// Connections the /healthz and /metrics listener takes at most: a few scrapers and probes.
    public static let operationsConnections = 32
}

/// `accounts serve`: the activation pages over HTTP/1.1 until SIGTERM or SIGINT, after which it
/// stops accepting, finishes the requests in flight, and returns.
public struct ActivationServer: Sendable {
    public struct Options: Sendable {
        public var host: String
        /// 0: any free port (the "listening" line on stderr says which).
        public var port: Int
        /// Page templates replacing the built-in ones, file by file.
        public var templatesDirectory: String?
        /// Threads for the pages' store calls: as many requests can wait on the database at once.
        public var threads: Int
        /// POSTs a client may make per minute (also the burst).
        public var postsPerMinute: Int
        /// No "listening" and "stopped" lines (the access log stays: it is the server's output).
        public var quiet: Bool
        /// HTTPS with this certificate (and HSTS); nil: plain HTTP, for behind a proxy.
        public var certificate: ServerCertificate?
        /// Open connections of the public listener at most (`ConnectionTable`).
        public var maximumConnections = 512
        /// From a request's first byte to its last (headers and body), at most.
        public var requestTimeout: Duration = .seconds(20)
        /// /healthz and /metrics on a listener of their own; the public one then answers pages only.
        public var operationsHost: String?
        public var operationsPort = 0
        /// How old the statistics /metrics gives may be.
        public var metricsMaximumAge: Duration = .seconds(15)

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

    /// Connections the operations listener takes at most: a few scrapers and probes.
    static let operationsConnections = ActivationServerLimits.operationsConnections
    /// Threads that send what the pages queue.
    static let mailThreads = 2

    let options: Options
    let settings: Settings
    let store: AccountStore
    /// A store of its own for /metrics (on SQLite another connection, so that a long read there
    /// never holds the pages' one).
    let statisticsStore: AccountStore
    let links: ActivationLinks
    let makeMail: @Sendable () throws -> ActivationMail
    let templates: PageTemplates

    /// Checks what can be checked before listening: the flows' URL settings (ACTIVATION_URL), the
    /// templates.
    public init(options: Options, settings: Settings, store: AccountStore, statisticsStore: AccountStore, links: ActivationLinks,
                makeMail: @escaping @Sendable () throws -> ActivationMail) throws {
        self.options = options
        self.settings = settings
        self.store = store
        self.statisticsStore = statisticsStore
        self.links = links
        self.makeMail = makeMail
        try SiteFlows.check(settings)
        templates = try PageTemplates(directory: options.templatesDirectory)
    }

    public func run() async throws {
        let pages = NIOThreadPool(numberOfThreads: options.threads)
        let mail = NIOThreadPool(numberOfThreads: Self.mailThreads)
        let checks = NIOThreadPool(numberOfThreads: 1)
        let reports = NIOThreadPool(numberOfThreads: 1)
        let pools = [pages, mail, checks, reports]
        pools.forEach { $0.start() }

        let store = self.store, links = self.links, makeMail = self.makeMail
        let dispatcher = MailDispatcher(pool: mail) { MailDelivery(store: store, links: links, mail: try makeMail()) }
        let renderer = PageRenderer(templates: templates, successURL: settings.activationSuccessURL)
        let metrics = ServeMetrics()
        let flows: [any SiteRoutes]
        do {
            flows = try SiteFlows.routes(SiteParts(settings: settings, store: store, links: links, dispatcher: dispatcher, renderer: renderer,
                                                   calls: StoreCalls(pool: pages)))
        } catch {
            for pool in pools { try? await pool.shutdownGracefully() }
            throw error
        }
        let parts = SiteRouter.Parts(
            operations: OperationsRoutes(
                health: HealthCheck(store: store, pool: checks),
                statistics: MetricsCache(store: statisticsStore, window: links.tokens.window, pool: reports, maximumAge: options.metricsMaximumAge),
                metrics: metrics),
            flows: flows, renderer: renderer,
            securityHeaders: SecurityHeaders(styleHash: templates.styleHash, successURL: settings.activationSuccessURL),
            limiter: RateLimiter(perMinute: options.postsPerMinute, ipv6Prefix: settings.rateLimitIPv6Prefix), metrics: metrics,
            client: ClientMiddleware(trustedProxies: settings.trustedProxies, tls: options.certificate != nil, defaultLanguage: settings.languageCode))
        let separate = options.operationsHost != nil

        // Hummingbird's own messages: warnings and worse, on stderr (stdout stays empty).
        var logger = Logger(label: "accounts.serve") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let quiet = options.quiet
        let publicTable = ConnectionTable(maximum: options.maximumConnections)
        let requestTimeout = TimeAmount.nanoseconds(Int64(options.requestTimeout.components.seconds) * 1_000_000_000)
        func http1(_ table: ConnectionTable) -> HTTPServerBuilder {
            .http1(configuration: .init(additionalChannelHandlers: [RequestGuard(table: table, requestTimeout: requestTimeout)],
                                        idleTimeout: .seconds(60)))
        }
        let scheme = options.certificate == nil ? "http" : "https"
        let answered = (flows.map(\.summary) + (separate ? [] : [parts.operations.summary])).joined(separator: "; ")
        var services: [any Service] = [
            Application(
                responder: SiteRouter.responder(separate ? .pages : [.pages, .operations], parts),
                server: try options.certificate.map { try .tls(http1(publicTable), tlsConfiguration: $0.configuration) } ?? http1(publicTable),
                configuration: .init(address: .hostname(options.host, port: options.port), serverName: nil),
                onServerRunning: { channel in
                    guard !quiet else { return }
                    StandardError.write("accounts serve: listening on \(scheme)://\(Self.address(channel)) (\(answered))\n")
                },
                logger: logger),
        ]
        if let host = options.operationsHost {
            services.append(Application(
                responder: SiteRouter.responder(.operations, parts),
                server: http1(ConnectionTable(maximum: Self.operationsConnections)),
                configuration: .init(address: .hostname(host, port: options.operationsPort), serverName: nil),
                onServerRunning: { channel in
                    guard !quiet else { return }
                    StandardError.write("accounts serve: /healthz and /metrics on http://\(Self.address(channel))\n")
                },
                logger: logger))
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            for pool in pools { try? await pool.shutdownGracefully() }
            // NIO's IOError says which syscall failed; the operator needs why (EADDRINUSE, EACCES).
            let reason = Self.reason(error)
            throw AccountsError(.unavailable, "cannot serve on \(options.host):\(options.port)\(separate ? " or \(options.operationsHost!):\(options.operationsPort)" : ""): \(reason)")
        }
        // The requests in flight have finished; so do the mails they queued.
        for pool in pools { try? await pool.shutdownGracefully() }
        if !quiet { StandardError.write("accounts serve: stopped\n") }
    }

    private static func address(_ channel: any Channel) -> String {
        channel.localAddress.map { address in
            let ip = address.ipAddress ?? "?"
            return (ip.contains(":") ? "[\(ip)]" : ip) + ":\(address.port ?? 0)"
        } ?? "?"
    }

    private static func reason(_ error: Error) -> String {
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
        if let group = error as? ServiceGroupError, let underlying = Mirror(reflecting: group).descendant("underlyingError") as? Error {
            return reason(underlying)
        }
        return "\(error)"
    }
}
