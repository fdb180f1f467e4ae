import HTTPTypes
import Hummingbird

/// The headers every response carries, pages or not.
struct SecurityHeaders: Sendable {
    let contentSecurityPolicy: String

    /// `styleHash`: the one inline stylesheet allowed. `successURL`: a redirect after the POST
    /// that leaves this origin must be allowed by form-action, or browsers stop it.
    init(styleHash: String, successURL: String?) {
        var formAction = "'self'"
        if let successURL, let origin = Self.origin(of: successURL) { formAction += " " + origin }
        contentSecurityPolicy = "default-src 'none'; style-src '\(styleHash)'; img-src 'self'; form-action \(formAction); frame-ancestors 'none'; base-uri 'none'"
    }

    /// `https`: the client reached us over TLS (directly or through a trusted proxy).
    func apply(to headers: inout HTTPFields, https: Bool) {
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        // The GET's URL holds the token: no Referer may carry it elsewhere, no cache keep it.
        headers[.referrerPolicy] = "no-referrer"
        headers[.cacheControl] = "no-store"
        headers[.xContentTypeOptions] = "nosniff"
        headers[.xRobotsTag] = "noindex, nofollow"
        headers[.xFrameOptions] = "DENY"
        headers[.crossOriginOpenerPolicy] = "same-origin"
        if https { headers[.strictTransportSecurity] = "max-age=31536000" }
    }

    /// `https://example.com` of `https://example.com/login/`; nil for a path.
    static func origin(of url: String) -> String? {
        guard let scheme = url.range(of: "://") else { return nil }
        let rest = url[scheme.upperBound...]
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return String(url[..<scheme.upperBound] + host)
    }
}

extension HTTPField.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xRobotsTag = Self("X-Robots-Tag")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let crossOriginOpenerPolicy = Self("Cross-Origin-Opener-Policy")!
    static let secFetchSite = Self("Sec-Fetch-Site")!
    static let xForwardedFor = Self("X-Forwarded-For")!
    static let xForwardedProto = Self("X-Forwarded-Proto")!
}
