import Hummingbird

/// Before a form's route (so before any store work): a POST a browser marks as sent from
/// another site is refused (`CrossSiteCheck`), and so is one past the client's rate limit
/// (`RateLimiter`). The router puts it in front of every POST route, once the request is the
/// route's (its path exactly the forms' path).
struct FormGuardMiddleware: RouterMiddleware {
    let limiter: RateLimiter
    let renderer: PageRenderer

    func handle(_ request: Request, context: SiteContext, next: (Request, SiteContext) async throws -> Response) async throws -> Response {
        let refusal: ActivationPage
        if !CrossSiteCheck.allows(request.headers, authority: request.head.authority, scheme: context.client.https ? "https" : "http") {
            refusal = .crossSite
        } else if let wait = limiter.take(context.client.address) {
            refusal = .tooManyRequests(retryAfter: wait)
        } else {
            return try await next(request, context)
        }
        context.note.set(outcome: refusal.outcome)
        return renderer.render(refusal, link: nil, formAction: request.uri.path, language: context.language)
    }
}
