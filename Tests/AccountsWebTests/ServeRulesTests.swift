import AccountsCore
@testable import AccountsWeb
import HTTPTypes
import XCTest

/// serve's rules, each on its own type: what decides whether a POST is cross-site, how many a
/// client may send, who the client is behind a proxy, the headers of every response, and what
/// the access log shows of a link. The pages' HTTP and browser tests (Tests/serve) check the
/// same through the binary; these catch a broken rule in milliseconds.
final class ServeRulesTests: XCTestCase {
    func fields(_ pairs: [(String, String)]) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in pairs { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        return fields
    }

    /// Sec-Fetch-Site decides when a browser sends it; else Origin against the Host; a request
    /// with neither is no browser's, and passes.
    func testACrossSitePostIsRefusedAndASameOriginOneAllowed() {
        let allowed: [[(String, String)]] = [[("Sec-Fetch-Site", "same-origin")], [("Sec-Fetch-Site", "none")],
                                             [("Origin", "https://accounts.example")], []]
        let refused: [[(String, String)]] = [[("Sec-Fetch-Site", "cross-site")], [("Sec-Fetch-Site", "same-site")],
                                             [("Origin", "https://evil.example")], [("Origin", "null")],
                                             [("Origin", "http://accounts.example")],
                                             [("Sec-Fetch-Site", "cross-site"), ("Origin", "https://accounts.example")]]
        for headers in allowed {
            XCTAssertTrue(CrossSiteCheck.allows(fields(headers), authority: "accounts.example", scheme: "https"), "\(headers)")
        }
        for headers in refused {
            XCTAssertFalse(CrossSiteCheck.allows(fields(headers), authority: "accounts.example", scheme: "https"), "\(headers)")
        }
        XCTAssertFalse(CrossSiteCheck.allows(fields([("Origin", "https://accounts.example")]), authority: nil, scheme: "https"),
                       "an Origin and no Host to compare it with")
    }

    /// `burst` POSTs at once, then one a minute's share; an IPv6 client is its /64.
    func testTheRateLimitIsABurstThenARefillPerClient() {
        let limiter = RateLimiter(perMinute: 6, ipv6Prefix: 64)
        for _ in 0..<6 { XCTAssertNil(limiter.take("192.0.2.1", now: 1000)) }
        let wait = limiter.take("192.0.2.1", now: 1000)
        XCTAssertEqual(wait, 10, "six a minute: the next in 10 s")
        XCTAssertNotNil(limiter.take("192.0.2.1", now: 1009))
        XCTAssertNil(limiter.take("192.0.2.1", now: 1020), "refilled: 0.1 a second for 20 s is two")
        XCTAssertNil(limiter.take("192.0.2.1", now: 1020))
        XCTAssertNotNil(limiter.take("192.0.2.1", now: 1020))
        XCTAssertNil(limiter.take("192.0.2.1", now: 1200), "never more than the burst")
        for _ in 0..<5 { XCTAssertNil(limiter.take("192.0.2.1", now: 1200)) }
        XCTAssertNotNil(limiter.take("192.0.2.1", now: 1200))
        XCTAssertNil(limiter.take("192.0.2.2", now: 1000), "another client, another bucket")
        for _ in 0..<6 { XCTAssertNil(limiter.take("2001:db8:1:2::a", now: 1000)) }
        XCTAssertNotNil(limiter.take("2001:db8:1:2:ffff::b", now: 1000), "the same /64 is one client")
        XCTAssertNil(limiter.take("2001:db8:1:3::a", now: 1000), "the next /64 is another")
    }

    /// Forwarding headers count only from TRUSTED_PROXIES: the rightmost hop that is not one.
    func testForwardingHeadersAreBelievedOnlyFromTrustedProxies() throws {
        let proxies = [try XCTUnwrap(AddressRange("10.0.0.0/8"))]
        let forwarded = fields([("X-Forwarded-For", "203.0.113.9, 198.51.100.7, 10.1.1.1"), ("X-Forwarded-Proto", "https")])
        let direct = ClientAddress(peer: "192.0.2.5", headers: forwarded, trustedProxies: proxies, tls: false)
        XCTAssertEqual(direct.address, "192.0.2.5", "a client cannot choose its own address")
        XCTAssertFalse(direct.https)
        let proxied = ClientAddress(peer: "10.0.0.2", headers: forwarded, trustedProxies: proxies, tls: false)
        XCTAssertEqual(proxied.address, "198.51.100.7", "the rightmost hop that is not a proxy")
        XCTAssertTrue(proxied.https)
        let withPort = ClientAddress(peer: "10.0.0.2", headers: fields([("X-Forwarded-For", "198.51.100.7:4431")]), trustedProxies: proxies, tls: true)
        XCTAssertEqual(withPort.address, "198.51.100.7")
        XCTAssertTrue(withPort.https, "no X-Forwarded-Proto: as the connection is")
    }

    func testEveryResponseCarriesTheSecurityHeadersAndHSTSOnlyOverHTTPS() {
        let headers = SecurityHeaders(styleHash: "sha256-abc", successURL: "https://www.example.com/login/")
        var plain = HTTPFields()
        headers.apply(to: &plain, https: false)
        XCTAssertEqual(plain[.referrerPolicy], "no-referrer", "the GET's URL holds the token")
        XCTAssertEqual(plain[.cacheControl], "no-store")
        XCTAssertEqual(plain[.xContentTypeOptions], "nosniff")
        XCTAssertEqual(plain[.xFrameOptions], "DENY")
        XCTAssertEqual(plain[HTTPField.Name("X-Robots-Tag")!], "noindex, nofollow")
        XCTAssertNil(plain[.strictTransportSecurity])
        let policy = try? XCTUnwrap(plain[.contentSecurityPolicy])
        for directive in ["default-src 'none'", "frame-ancestors 'none'", "form-action 'self' https://www.example.com", "style-src 'sha256-abc'"] {
            XCTAssertTrue(policy?.contains(directive) == true, "\(directive) in \(policy ?? "")")
        }
        var secure = HTTPFields()
        headers.apply(to: &secure, https: true)
        XCTAssertEqual(secure[.strictTransportSecurity], "max-age=31536000")
    }

    /// The access log never holds a working token, however the path spells it.
    func testTheAccessLogNeverShowsAToken() throws {
        let route = try ActivationRoute(activationURL: "https://www.example.com/users/activate/{uid}/{token}/")
        let token = "cb5xyz-0123456789abcdef0123456789abcdef"
        XCTAssertEqual(route.redacted("/users/activate/MQ/\(token)/"), "/users/activate/MQ/[token]/")
        XCTAssertEqual(route.redacted("/users/activate/not-a-uid/\(token)/"), "/users/activate/[uid]/[token]/")
        for path in ["//users/activate/MQ/\(token)/", "/users/activate/MQ%2F\(token)/", "/users/activate/MQ/\(token))",
                     "/USERS/ACTIVATE/MQ/\(token)/", "/%75sers/activate/MQ/\(token)/", "/elsewhere/\(token)"] {
            XCTAssertFalse(route.redacted(path).contains("0123456789abcdef"), "\(path) → \(route.redacted(path))")
        }
        XCTAssertEqual(route.redacted("/users/activate/"), "/users/activate/", "the forms' path has nothing to hide")
        XCTAssertEqual(route.redacted("/healthz"), "/healthz")
        // The query form: the forms post to its path, the token is only ever in the query, which the log leaves out.
        let query = try ActivationRoute(activationURL: "https://www.example.com/verify?uid={uid}&token={token}")
        XCTAssertEqual(query.prefix, "/verify")
        XCTAssertEqual(query.link(path: "/verify", query: "uid=MQ&token=\(token)"), ActivationLink(uid: "MQ", token: token))
        XCTAssertEqual(query.redacted("/verify"), "/verify")
        XCTAssertFalse(query.redacted("/verify/MQ/\(token)/").contains("0123456789abcdef"))
    }
}
