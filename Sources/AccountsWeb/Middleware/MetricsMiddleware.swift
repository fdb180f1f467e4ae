import Hummingbird

/// A count in /metrics for every response: by the route the note names, method and status, and
/// the page's outcome.
struct MetricsMiddleware: RouterMiddleware {
    let metrics: ServeMetrics

    func handle(_ request: Request, context: SiteContext, next: (Request, SiteContext) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        metrics.record(route: context.note.route, method: request.method.rawValue, status: response.status.code, outcome: context.note.outcome)
        return response
    }
}
