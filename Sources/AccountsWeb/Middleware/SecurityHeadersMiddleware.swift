import Hummingbird

/// The security headers on every response, pages or not, 404s and 405s included.
struct SecurityHeadersMiddleware: RouterMiddleware {
    let headers: SecurityHeaders

    func handle(_ request: Request, context: SiteContext, next: (Request, SiteContext) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        headers.apply(to: &response.headers, https: context.client.https)
        return response
    }
}
