import HTTPTypes
import Hummingbird

/// Refuses POSTs a browser marks as sent from another site (a form elsewhere posting someone's
/// link), as Go's http.CrossOriginProtection does: Sec-Fetch-Site when the browser sends it,
/// else Origin against the Host the request was sent to. Requests with neither are not from a
/// browser that could be tricked, and pass (curl, the test suite).
enum CrossSiteCheck {
    /// `authority`: the Host the request was sent to (HTTP/1.1's Host header).
    static func allows(_ headers: HTTPFields, authority: String?, scheme: String) -> Bool {
        if let site = headers[.secFetchSite] {
            return site == "same-origin" || site == "none"
        }
        guard let origin = headers[.origin] else { return true }
        guard let authority else { return false }
        return origin == "\(scheme)://\(authority)"
    }
}
