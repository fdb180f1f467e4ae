import AccountsCore
import Hummingbird

/// First of all: who sent the request and over what (`ClientAddress`, TRUSTED_PROXIES), and the
/// language its pages are in, so that every middleware and route after it reads them alike.
struct ClientMiddleware: RouterMiddleware {
    let trustedProxies: [AddressRange]
    /// Served over TLS itself (--tls-cert): every client came over HTTPS.
    let tls: Bool
    let defaultLanguage: String

    func handle(_ request: Request, context: SiteContext, next: (Request, SiteContext) async throws -> Response) async throws -> Response {
        var context = context
        context.client = ClientAddress(peer: context.peer, headers: request.headers, trustedProxies: trustedProxies, tls: tls)
        context.language = PageLanguage.negotiate(request.headers[.acceptLanguage], available: Settings.pageLanguages, default: defaultLanguage)
        return try await next(request, context)
    }
}
