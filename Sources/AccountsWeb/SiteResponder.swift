import AccountsCore
import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix

/// The peer of a request's connection, which is all `serve` needs from Hummingbird's context.
struct PeerContext: InitializableFromSource {
    let peer: String?

    init(source: ApplicationRequestContextSource) {
        peer = source.channel.remoteAddress?.ipAddress
    }
}

/// Every request `serve` answers: the activation pages, the forms they post, /healthz and
/// /metrics. Store calls run on thread pools, never on an event loop, and a page never waits for
/// /metrics, /healthz or SMTP; every response gets the security headers, a line in the access log
/// and a count in /metrics.
struct SiteResponder: HTTPResponder {
    /// What a listener answers: the pages, /healthz and /metrics, or some of them (with
    /// --metrics-listen the public port answers pages only).
    struct Surface: OptionSet, Sendable {
        let rawValue: Int
        static let pages = Surface(rawValue: 1)
        static let operations = Surface(rawValue: 2)
    }

    let surface: Surface
    let site: ActivationSite
    let route: ActivationRoute
    let templates: PageTemplates
    let securityHeaders: SecurityHeaders
    let limiter: RateLimiter
    let metrics: ServeMetrics
    /// The pages' store calls; /healthz and /metrics have threads of their own.
    let pool: NIOThreadPool
    let health: HealthCheck
    let statistics: MetricsCache
    let trustedProxies: [AddressRange]
    /// Served over TLS itself (--tls-cert): every client came over HTTPS.
    let tls: Bool
    let defaultLanguage: String
    let successURL: String?
    /// The form's biggest honest body is under 200 bytes.
    static let maximumFormSize = 4096

    func respond(to request: Request, context: PeerContext) async throws -> Response {
        let started = ContinuousClock.now
        let client = ClientAddress(peer: context.peer, headers: request.headers, trustedProxies: trustedProxies, tls: tls)
        let language = PageLanguage.negotiate(request.headers[.acceptLanguage], available: Settings.pageLanguages, default: defaultLanguage)
        var request = request
        let (routeName, outcome, answer) = await self.answer(&request, client: client, language: language)
        var response = answer
        securityHeaders.apply(to: &response.headers, https: client.https)
        let elapsed = ContinuousClock.now - started
        metrics.record(route: routeName, method: request.method.rawValue, status: response.status.code, outcome: outcome)
        AccessLog.write(client: client.address, method: request.method.rawValue, path: route.redacted(request.uri.path),
                        status: response.status.code, outcome: outcome,
                        microseconds: elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000,
                        userAgent: request.headers[.userAgent])
        return response
    }

    /// The route's name (for /metrics), the page's outcome when it is a page, and the response.
    private func answer(_ request: inout Request, client: ClientAddress, language: String) async -> (String, String?, Response) {
        let path = request.uri.path
        let method = request.method
        let isRead = method == .get || method == .head
        switch path {
        case "/healthz" where surface.contains(.operations):
            guard isRead else { return ("healthz", nil, Self.methodNotAllowed("GET, HEAD")) }
            let healthy = await health.healthy()
            return ("healthz", nil, Self.text(healthy ? .ok : .serviceUnavailable, healthy ? "ok\n" : "store unavailable\n"))
        case "/metrics" where surface.contains(.operations):
            guard isRead else { return ("metrics", nil, Self.methodNotAllowed("GET, HEAD")) }
            return ("metrics", nil, await metricsResponse())
        case _ where !surface.contains(.pages):
            return ("other", ActivationPage.notFound.outcome, Self.text(.notFound, "not found\n"))
        case route.prefix where method == .post:
            let page = await post(&request, client: client)
            return ("activation", page.0.outcome, render(page.0, link: page.1, language: language, head: false))
        default:
            guard let link = route.link(path: path, query: request.uri.query) else {
                return ("other", ActivationPage.notFound.outcome, render(.notFound, link: nil, language: language, head: method == .head))
            }
            guard isRead else { return ("activation", nil, Self.methodNotAllowed("GET, HEAD")) }
            let page = await blocking { try site.visit(link) }
            return ("activation", page.outcome, render(page, link: link, language: language, head: method == .head))
        }
    }

    /// A confirm or resend form: refused when cross-site or over the rate limit, before any
    /// store work.
    private func post(_ request: inout Request, client: ClientAddress) async -> (ActivationPage, ActivationLink?) {
        guard CrossSiteCheck.allows(request.headers, authority: request.head.authority, scheme: client.https ? "https" : "http") else {
            return (.crossSite, nil)
        }
        if let wait = limiter.take(client.address) { return (.tooManyRequests(retryAfter: wait), nil) }
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true,
              let body = try? await request.collectBody(upTo: Self.maximumFormSize),
              let form = FormFields(String(buffer: body)),
              let uid = form["uid"], let token = form["token"]
        else { return (.badRequest, nil) }
        let link = ActivationLink(uid: uid, token: token)
        switch form["action"] {
        case "activate":
            return (await blocking { try site.activate(link) }, link)
        case "resend":
            return (await blocking { try site.resend(link) }, link)
        default:
            return (.badRequest, nil)
        }
    }

    /// Runs a store call on the thread pool; a store or mail failure is the "try later" page,
    /// and a line for the operator on stderr (store messages hold no tokens).
    private func blocking(_ body: @escaping @Sendable () throws -> ActivationPage) async -> ActivationPage {
        do {
            return try await pool.runIfActive(body)
        } catch let error as AccountsError {
            StandardError.write("accounts serve: \(error.message)\n")
            return .unavailable
        } catch {
            StandardError.write("accounts serve: \(error)\n")
            return .unavailable
        }
    }

    /// The statistics (cached, `MetricsCache`) and the server's own counters (live).
    private func metricsResponse() async -> Response {
        guard let text = await statistics.text() else { return Self.text(.serviceUnavailable, "store unavailable\n") }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text + metrics.prometheusText)))
    }

    private func render(_ page: ActivationPage, link: ActivationLink?, language: String, head: Bool) -> Response {
        let text = PageText(page, language: language)
        var context: [String: Any] = [
            "lang": language, language: true, "title": text.title, "message": text.message,
            "page": page.outcome, "status": page.status, "form_action": route.prefix,
        ]
        if let button = text.button, let action = page.formAction, let link {
            context["button"] = button
            context["action"] = action
            context["uid"] = link.uid
            context["token"] = link.token
        }
        if let user = page.user {
            context["user_id"] = PageText.shown(user.userID)
            context["masked_email"] = PageText.shown(MaskedEmail.mask(user.email))
        }
        var headers = HTTPFields()
        if case .activated = page, let successURL {
            // 303: the browser follows with a GET, and a reload does not post again.
            headers[.location] = successURL
            return Response(status: .seeOther, headers: headers)
        }
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.contentLanguage] = language
        headers[.vary] = "Accept-Language"
        switch page {
        case .cooldown(let seconds), .tooManyRequests(let seconds): headers[.retryAfter] = String(seconds)
        default: break
        }
        let html = templates.render(context)
        return Response(status: .init(code: page.status), headers: headers, body: head ? .init() : .init(byteBuffer: ByteBuffer(string: html)))
    }

    private static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    private static func methodNotAllowed(_ allowed: String) -> Response {
        var response = text(.methodNotAllowed, "method not allowed\n")
        response.headers[.allow] = allowed
        return response
    }
}
