import Hummingbird

/// What the router answers when no route did: a 405 with Allow where a flow answers the address
/// with other methods, else the not-found page (plain text on the operations port, which has no
/// pages). Any other error a route lets out becomes its response here, inside the log, metrics
/// and headers, so that those see every response.
struct FallbackMiddleware: RouterMiddleware {
    let flows: [any SiteRoutes]
    let notFound: @Sendable (Request, SiteContext) -> Response

    func handle(_ request: Request, context: SiteContext, next: (Request, SiteContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            for flow in flows {
                if let (route, allowed) = flow.methods(path: request.uri.path, query: request.uri.query) {
                    context.note.set(route: route, outcome: nil)
                    return PlainResponses.methodNotAllowed(allowed)
                }
            }
            context.note.set(route: "other", outcome: ActivationPage.notFound.outcome)
            let response = notFound(request, context)
            return request.method == .head ? response.createHeadResponse() : response
        } catch let error as any HTTPResponseError {
            return try error.response(from: request, context: context)
        }
    }
}
