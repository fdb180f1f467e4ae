import AccountsCore
import Hummingbird

/// What a request carries through serve's middleware to its route and back: the connection's
/// peer, who the client is and which language it reads (`ClientMiddleware`, first of all), and
/// the note the route leaves for the access log and /metrics.
struct SiteContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The connection's peer, before TRUSTED_PROXIES are taken into account.
    let peer: String?
    var client: ClientAddress
    /// The pages' language, from Accept-Language (`PageLanguage`).
    var language: String
    let note: RouteNote

    init(source: ApplicationRequestContextSource) {
        self.init(source: source, peer: source.channel.remoteAddress?.ipAddress)
    }

    /// A request from `peer` without a connection: the router's own tests.
    init(source: some RequestContextSource, peer: String?) {
        coreContext = .init(source: source)
        self.peer = peer
        client = ClientAddress(unresolvedPeer: peer)
        language = Settings.pageLanguages[0]
        note = RouteNote()
    }
}
