import HTTPTypes
import Hummingbird

/// One thing serve answers: a method at a path, or at any path under it. `answer` gives nil when
/// the request is not this route's after all (a path under the prefix that is no link), and the
/// next route at the same place, else the not-found page, gets it. A POST route is a form, and
/// passes `FormGuardMiddleware` first.
struct SiteRoute: Sendable {
    enum Reach: Sendable {
        /// The path itself, byte for byte (the forms' path, /healthz).
        case exactly
        /// Any path under the path's directory (a link's prefix: `/users/activate/` of
        /// `/users/activate/{uid}/{token}/`, `/` of `/activate-{uid}-{token}`).
        case below
    }

    /// Its name in /metrics and the access log's note ("activation").
    let name: String
    let method: HTTPRequest.Method
    let path: String
    let reach: Reach
    let answer: @Sendable (Request, SiteContext) async -> Response?
}

/// What a flow (or the operations endpoints) puts on serve's router: its routes, and what the
/// router needs to know of them when none answered.
protocol SiteRoutes: Sendable {
    var routes: [SiteRoute] { get }
    /// For a request none of the routes answered: when `path` and `query` are one of this flow's
    /// addresses, the route's name and the methods it answers there (a 405 and its Allow header);
    /// nil when they are not.
    func methods(path: String, query: String?) -> (route: String, allowed: [HTTPRequest.Method])?
    /// `path` as the access log may show it, when it is one of this flow's or near one (a token
    /// route must never log its token); nil when it is not this flow's concern.
    func redacted(_ path: String) -> String?
    /// What the "listening" line says this flow answers, e.g. "activation links under /users/activate/".
    var summary: String { get }
}
