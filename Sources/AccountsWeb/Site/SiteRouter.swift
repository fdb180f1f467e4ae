import HTTPTypes
import Hummingbird

/// serve's router: the middleware every response passes (outermost first: who the client is,
/// the access log, /metrics, the security headers, the fallback for what no route answers),
/// then the routes of the operations endpoints and of each flow, each form behind
/// `FormGuardMiddleware`. HEAD is answered by GET's route (Hummingbird drops the body).
enum SiteRouter {
    /// What a listener answers: the pages, /healthz and /metrics, or some of them (with
    /// --metrics-listen the public port answers pages only).
    struct Surface: OptionSet, Sendable {
        let rawValue: Int
        static let pages = Surface(rawValue: 1)
        static let operations = Surface(rawValue: 2)
    }

    struct Parts: Sendable {
        let operations: OperationsRoutes
        let flows: [any SiteRoutes]
        let renderer: PageRenderer
        let securityHeaders: SecurityHeaders
        let limiter: RateLimiter
        let metrics: ServeMetrics
        let client: ClientMiddleware
        var accessLog: @Sendable (String) -> Void = AccessLog.toStandardError
    }

    static func responder(_ surface: Surface, _ parts: Parts) -> RouterResponder<SiteContext> {
        let router = Router(context: SiteContext.self, options: .autoGenerateHeadEndpoints)
        var answered: [any SiteRoutes] = []
        if surface.contains(.operations) { answered.append(parts.operations) }
        if surface.contains(.pages) { answered += parts.flows }
        let renderer = parts.renderer
        router.add(middleware: parts.client)
        // Every flow redacts its paths, whichever listener a request came to.
        router.add(middleware: AccessLogMiddleware(redaction: LogRedaction(flows: parts.flows), write: parts.accessLog))
        router.add(middleware: MetricsMiddleware(metrics: parts.metrics))
        router.add(middleware: SecurityHeadersMiddleware(headers: parts.securityHeaders))
        router.add(middleware: FallbackMiddleware(flows: answered) { request, context in
            surface.contains(.pages)
                ? renderer.render(.notFound, link: nil, formAction: "", language: context.language)
                : PlainResponses.text(.notFound, "not found\n")
        })
        // Routes at one place are asked in turn; the first that answers, answers.
        var places: [(pattern: String, method: HTTPRequest.Method, routes: [SiteRoute])] = []
        for route in answered.flatMap(\.routes) {
            let pattern = RoutePattern.of(route.path, reach: route.reach)
            if let index = places.firstIndex(where: { $0.pattern == pattern && $0.method == route.method }) {
                places[index].routes.append(route)
            } else {
                places.append((pattern, route.method, [route]))
            }
        }
        for place in places {
            let routes = place.routes
            let guardForms = FormGuardMiddleware(limiter: parts.limiter, renderer: renderer)
            router.on(RouterPath(place.pattern), method: place.method) { request, context -> Response in
                // The trie matched components; a route `.exactly` at its path wants that path, byte for byte.
                for route in routes where route.reach == .below || request.uri.path == route.path {
                    context.note.set(route: route.name, outcome: nil)
                    guard route.method == .post else {
                        if let response = await route.answer(request, context) { return response }
                        continue
                    }
                    // A form: guarded before it does anything.
                    return try await guardForms.handle(request, context: context) { request, context in
                        guard let response = await route.answer(request, context) else { throw HTTPError(.notFound) }
                        return response
                    }
                }
                throw HTTPError(.notFound)
            }
        }
        return router.buildResponder()
    }
}
