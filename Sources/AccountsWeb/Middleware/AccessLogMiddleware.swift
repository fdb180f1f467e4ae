import Hummingbird

/// A line in the access log for every response, with the path as the flows redact it.
struct AccessLogMiddleware: RouterMiddleware {
    let redaction: LogRedaction
    /// Where the lines go: stderr (`AccessLog.toStandardError`); the router's tests keep them.
    let write: @Sendable (String) -> Void

    func handle(_ request: Request, context: SiteContext, next: (Request, SiteContext) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - started
        write(AccessLog.line(client: context.client.address, method: request.method.rawValue, path: redaction.redacted(request.uri.path),
                        status: response.status.code, outcome: context.note.outcome,
                        microseconds: elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000,
                        userAgent: request.headers[.userAgent]))
        return response
    }
}
