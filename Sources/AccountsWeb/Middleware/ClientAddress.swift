import AccountsCore
import HTTPTypes
import Hummingbird

/// Who sent a request and over what: the peer, unless the peer is a TRUSTED_PROXIES address,
/// in which case X-Forwarded-For's rightmost untrusted hop and X-Forwarded-Proto are believed.
/// Anyone else's forwarding headers are ignored (they would let a client pick its own
/// rate-limit bucket and log line).
struct ClientAddress: Sendable {
    let address: String
    let https: Bool

    /// The peer as it is, before `ClientMiddleware` has looked at the request.
    init(unresolvedPeer peer: String?) {
        address = peer ?? "-"
        https = false
    }

    init(peer: String?, headers: HTTPFields, trustedProxies: [AddressRange], tls: Bool) {
        let peer = peer ?? "-"
        guard trustedProxies.contains(where: { $0.contains(peer) }) else {
            address = peer
            https = tls
            return
        }
        // Proxies write a hop as an address, or with its port (ip:port, [v6]:port).
        let hops = headers[values: .xForwardedFor].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map { AddressRange.hostPart(ofHop: $0) ?? String($0.prefix(64)) }
        let client = hops.last { hop in !trustedProxies.contains(where: { $0.contains(hop) }) } ?? hops.first
        // A hop that is no address is still that client's, not the proxy's (whose one bucket
        // would let one client lock everybody out).
        address = client ?? peer
        let proto = headers[.xForwardedProto]?.split(separator: ",").first?.trimmingCharacters(in: .whitespaces).lowercased()
        https = proto.map { $0 == "https" } ?? tls
    }
}
