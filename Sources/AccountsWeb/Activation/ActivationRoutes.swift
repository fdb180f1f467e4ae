import AccountsCore
import HTTPTypes
import Hummingbird

/// The activation flow on serve's router: GET (and HEAD) of a link shows its page and changes
/// nothing; the forms (confirm, "send me a new link") POST to the prefix, so a token is never in
/// a POST's URL. Both at the place ACTIVATION_URL gives (`ActivationRoute`).
struct ActivationRoutes: SiteRoutes {
    let route: ActivationRoute
    let site: ActivationSite
    let renderer: PageRenderer
    let calls: StoreCalls
    /// The form's biggest honest body is under 200 bytes.
    static let maximumFormSize = 4096

    init(_ parts: SiteParts) throws {
        route = try ActivationRoute(activationURL: parts.settings.activationURL)
        let tokens = parts.links.tokens, settings = parts.settings
        site = ActivationSite(
            activation: ActivateWorkflow(store: parts.store, tokens: tokens),
            requests: LinkRequestWorkflow(store: parts.store, tokens: tokens, cooldown: settings.activationCooldown, limit: settings.activationResendLimit),
            dispatcher: parts.dispatcher, offersNewLinks: settings.activationResendLimit > 0)
        renderer = parts.renderer
        calls = parts.calls
    }

    var routes: [SiteRoute] {
        let linkReach: SiteRoute.Reach = if case .path = route.template.placement { .below } else { .exactly }
        return [
            SiteRoute(name: "activation", method: .get, path: route.prefix, reach: linkReach) { request, context in
                guard let link = route.link(path: request.uri.path, query: request.uri.query) else { return nil }
                let page = await calls.run(unavailable: .unavailable) { try site.visit(link) }
                return respond(page, link: link, context)
            },
            SiteRoute(name: "activation", method: .post, path: route.prefix, reach: .exactly) { request, context in
                let (page, link) = await post(request)
                return respond(page, link: link, context)
            },
        ]
    }

    func methods(path: String, query: String?) -> (route: String, allowed: [HTTPRequest.Method])? {
        route.link(path: path, query: query) == nil ? nil : ("activation", [.get, .head])
    }

    func redacted(_ path: String) -> String? {
        route.redactedIfNear(path)
    }

    var summary: String { "activation links under \(route.prefix)" }

    /// A confirm or resend form (cross-site and rate limit were checked by `FormGuardMiddleware`).
    private func post(_ request: Request) async -> (ActivationPage, ActivationLink?) {
        var request = request
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true,
              let body = try? await request.collectBody(upTo: Self.maximumFormSize),
              let form = FormFields(String(buffer: body)),
              let uid = form["uid"], let token = form["token"]
        else { return (.badRequest, nil) }
        let link = ActivationLink(uid: uid, token: token)
        let site = self.site
        switch form["action"] {
        case "activate":
            return (await calls.run(unavailable: .unavailable) { try site.activate(link) }, link)
        case "resend":
            return (await calls.run(unavailable: .unavailable) { try site.resend(link) }, link)
        default:
            return (.badRequest, nil)
        }
    }

    private func respond(_ page: ActivationPage, link: ActivationLink?, _ context: SiteContext) -> Response {
        context.note.set(outcome: page.outcome)
        return renderer.render(page, link: link, formAction: route.prefix, language: context.language)
    }
}
