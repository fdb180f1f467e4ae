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

    init(peer: String?, headers: HTTPFields, trustedProxies: [AddressRange], tls: Bool) {
        let peer = peer ?? "-"
        guard trustedProxies.contains(where: { $0.contains(peer) }) else {
            address = peer
            https = tls
            return
        }
        let hops = headers[values: .xForwardedFor].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let client = hops.last { hop in !trustedProxies.contains(where: { $0.contains(hop) }) } ?? hops.first
        address = client.flatMap { AddressRange($0) != nil ? $0 : nil } ?? peer
        let proto = headers[.xForwardedProto]?.split(separator: ",").first?.trimmingCharacters(in: .whitespaces).lowercased()
        https = proto.map { $0 == "https" } ?? tls
    }
}
