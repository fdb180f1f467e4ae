import AccountsCore
@testable import AccountsWeb
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import Synchronization
import XCTest

/// serve's router in process: requests handed to the responder `accounts serve` listens with,
/// no socket, on a real SQLite store. What the HTTP and browser suites (Tests/serve) check
/// through the binary, in milliseconds: which route answers what, the 404/405 fallback, the
/// forms' guard, and what every response gets on its way out (headers, log line, count).
final class SiteRouterTests: XCTestCase {
    /// A site on a fresh store with one account registered, never activated.
    final class Site: @unchecked Sendable {
        let store: SQLiteStore
        let parts: SiteRouter.Parts
        let link: IssuedLink
        let pools: [NIOThreadPool]
        private let lines = LoggedLines()

        init(_ test: XCTestCase, activationURL: String, postsPerMinute: Int = 60) throws {
            let directory = NSTemporaryDirectory() + "accounts-router-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            test.addTeardownBlock { try? FileManager.default.removeItem(atPath: directory) }
            store = try SQLiteStore(path: directory + "/db.sqlite3", create: true, actor: "tester")
            var settings = Settings()
            settings.activationURL = activationURL
            settings.languageCode = "en"
            let tokens = TokenGenerator(secretKey: "router-tests-secret-key-0123456789-abcdefghijklmnop", timeout: 3 * 86_400)
            let links = ActivationLinks(tokens: tokens, template: try LinkTemplate(activationURL))
            let makeMail: @Sendable () throws -> ActivationMail = {
                ActivationMail(templates: try MailTemplates(.activation, directory: nil), backend: FileMailBackend(directory: directory),
                               fromEmail: "no-reply@example.com", timeZone: TimeZone(identifier: "UTC")!)
            }
            link = try RegisterWorkflow(store: store, links: links, mail: try makeMail(), hasher: PasswordHasher(iterations: 1_000))
                .register(RegisterWorkflow.Request(userID: "hong", email: "hong@example.com", password: nil, level: nil, department: nil,
                                                   sendMail: false)).link
            pools = (0..<3).map { _ in NIOThreadPool(numberOfThreads: 1) }
            pools.forEach { $0.start() }
            let store = self.store
            let dispatcher = MailDispatcher(pool: pools[0]) { MailDelivery(store: store, links: links, mail: try makeMail()) }
            let renderer = PageRenderer(templates: try PageTemplates(directory: nil), successURL: nil)
            let metrics = ServeMetrics()
            let flows = try SiteFlows.routes(SiteParts(settings: settings, store: store, links: links, dispatcher: dispatcher,
                                                       renderer: renderer, calls: StoreCalls(pool: pools[0])))
            var parts = SiteRouter.Parts(
                operations: OperationsRoutes(health: HealthCheck(store: store, pool: pools[1]),
                                             statistics: MetricsCache(store: store, window: tokens.window, pool: pools[2], maximumAge: .seconds(0)),
                                             metrics: metrics),
                flows: flows, renderer: renderer, securityHeaders: SecurityHeaders(styleHash: renderer.templates.styleHash, successURL: nil),
                limiter: RateLimiter(perMinute: postsPerMinute), metrics: metrics,
                client: ClientMiddleware(trustedProxies: [], tls: false, defaultLanguage: "en"))
            let lines = self.lines
            parts.accessLog = { line in lines.value.withLock { $0.append(line) } }
            self.parts = parts
        }

        func stop() async {
            for pool in pools { try? await pool.shutdownGracefully() }
        }

        /// The path (and query) of the registered account's link.
        var linkPath: String {
            let url = link.url
            let host = url.range(of: "://").map { url[$0.upperBound...] } ?? url[...]
            return String(host[(host.firstIndex(of: "/") ?? host.endIndex)...])
        }

        var form: String { "uid=\(link.link.uid)&token=\(link.link.token)&action=activate" }

        var logged: [[String: Any]] {
            lines.value.withLock { $0 }.map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        }

        func request(_ method: HTTPRequest.Method, _ uri: String, surface: SiteRouter.Surface = [.pages, .operations],
                     headers: [(String, String)] = [], body: String? = nil) async throws -> (status: Int, headers: HTTPFields, body: String) {
            var fields = HTTPFields()
            for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
            if body != nil { fields[.contentType] = "application/x-www-form-urlencoded" }
            let request = Request(head: HTTPRequest(method: method, scheme: "http", authority: "accounts.example", path: uri, headerFields: fields),
                                  body: RequestBody(buffer: ByteBuffer(string: body ?? "")))
            let context = SiteContext(source: Source(logger: Logger(label: "router-tests")), peer: "192.0.2.1")
            let response = try await SiteRouter.responder(surface, parts).respond(to: request, context: context)
            let collected = Collected()
            try await response.body.write(collected.writer)
            return (response.status.code, response.headers, String(buffer: collected.buffer))
        }

        struct Source: RequestContextSource {
            var logger: Logger
        }
    }

    final class LoggedLines: Sendable {
        let value = Mutex<[String]>([])
    }

    /// What a response body wrote (one request's, read after the body is written).
    final class Collected: @unchecked Sendable {
        var buffer = ByteBuffer()
        var writer: Writer { Writer(collected: self) }

        struct Writer: ResponseBodyWriter {
            let collected: Collected
            mutating func write(_ part: ByteBuffer) async throws {
                var part = part
                collected.buffer.writeBuffer(&part)
            }
            consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
        }
    }

    static let pathURL = "http://localhost:8000/users/activate/{uid}/{token}/"

    /// GET (and HEAD) of a link shows its page and changes nothing; another method there is a
    /// 405 that says what is allowed; the prefix itself and paths under it that are no link are
    /// the not-found page.
    func testALinkIsReadByGetAndHeadOnly() async throws {
        let site = try Site(self, activationURL: Self.pathURL)
        defer { Task { await site.stop() } }
        let page = try await site.request(.get, site.linkPath)
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.body.contains("Activate the account"), page.body)
        XCTAssertTrue(page.body.contains("name=\"token\" value=\"\(site.link.link.token)\""), "the form carries the token, not the URL")
        let head = try await site.request(.head, site.linkPath)
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.body, "", "HEAD: GET's answer without its body")
        for method in [HTTPRequest.Method.put, .post, .delete, HTTPRequest.Method("PROPFIND")!] {
            let refused = try await site.request(method, site.linkPath)
            XCTAssertEqual(refused.status, 405, "\(method)")
            XCTAssertEqual(refused.headers[.allow], "GET, HEAD", "\(method)")
        }
        for path in ["/users/activate/", "/users/activate/MQ/", "//users/activate/MQ/\(site.link.link.token)/", "/elsewhere"] {
            let missing = try await site.request(.get, path)
            XCTAssertEqual(missing.status, 404, path)
            XCTAssertTrue(missing.body.contains("There is no page at this address."), path)
            let put = try await site.request(.put, path)
            XCTAssertEqual(put.status, 404, "\(path): no route there, so not a 405")
        }
        XCTAssertFalse(try XCTUnwrap(site.store.user(matching: .userID("hong"))).isActive, "reading changed nothing")
    }

    /// The forms post to the prefix exactly; a cross-site POST is refused before the rate limit
    /// counts it, and a POST over the limit before any store work.
    func testTheFormsPostToThePrefixBehindTheGuard() async throws {
        let site = try Site(self, activationURL: Self.pathURL, postsPerMinute: 2)
        defer { Task { await site.stop() } }
        let nearMiss = try await site.request(.post, "/users/activate", body: site.form)
        XCTAssertEqual(nearMiss.status, 404, "the prefix is /users/activate/")
        for _ in 0..<3 {
            let refused = try await site.request(.post, "/users/activate/", headers: [("Sec-Fetch-Site", "cross-site")], body: site.form)
            XCTAssertEqual(refused.status, 403)
            XCTAssertTrue(refused.body.contains("another site"), refused.body)
        }
        XCTAssertFalse(try XCTUnwrap(site.store.user(matching: .userID("hong"))).isActive)
        let activated = try await site.request(.post, "/users/activate/", headers: [("Sec-Fetch-Site", "same-origin")], body: site.form)
        XCTAssertEqual(activated.status, 200, "cross-site refusals took nothing from the client's bucket")
        XCTAssertTrue(activated.body.contains("is active"), activated.body)
        XCTAssertTrue(try XCTUnwrap(site.store.user(matching: .userID("hong"))).isActive)
        let wrongToken = try await site.request(.post, "/users/activate/", body: "uid=MQ&token=x&action=activate")
        XCTAssertEqual(wrongToken.status, 400)
        let limited = try await site.request(.post, "/users/activate/", body: site.form)
        XCTAssertEqual(limited.status, 429, "two a minute")
        XCTAssertNotNil(limited.headers[.retryAfter])
    }

    /// The public and operations listeners: /healthz and /metrics only where they belong (and
    /// only at their own paths), the pages only where they belong, a 404 in plain text where
    /// there are no pages.
    func testEachListenerAnswersItsOwnSurface() async throws {
        let site = try Site(self, activationURL: Self.pathURL)
        defer { Task { await site.stop() } }
        let health = try await site.request(.get, "/healthz", surface: .operations)
        XCTAssertEqual(health.status, 200)
        XCTAssertEqual(health.body, "ok\n")
        let slash = try await site.request(.get, "/healthz/", surface: .operations)
        XCTAssertEqual(slash.status, 404)
        let post = try await site.request(.post, "/metrics", surface: .operations)
        XCTAssertEqual(post.status, 405)
        XCTAssertEqual(post.headers[.allow], "GET, HEAD")
        let noPages = try await site.request(.get, site.linkPath, surface: .operations)
        XCTAssertEqual(noPages.status, 404)
        XCTAssertEqual(noPages.body, "not found\n")
        let noOperations = try await site.request(.get, "/metrics", surface: .pages)
        XCTAssertEqual(noOperations.status, 404)
        XCTAssertTrue(noOperations.body.contains("There is no page at this address."))
        let postHealth = try await site.request(.post, "/healthz", surface: .pages)
        XCTAssertEqual(postHealth.status, 404, "no 405 for a route this listener lacks")
        let publicPage = try await site.request(.get, site.linkPath, surface: .pages)
        XCTAssertEqual(publicPage.status, 200)
        let metrics = try await site.request(.get, "/metrics")
        XCTAssertEqual(metrics.status, 200)
        XCTAssertTrue(metrics.body.contains("accounts_users"), metrics.body)
    }

    /// Every response, routed or not, has the security headers, a line in the access log without
    /// the token, and a count under the route that answered.
    func testEveryResponseIsHeadedLoggedAndCounted() async throws {
        let site = try Site(self, activationURL: Self.pathURL)
        defer { Task { await site.stop() } }
        let token = site.link.link.token
        let responses = [
            try await site.request(.get, site.linkPath, headers: [("User-Agent", "router-tests")]),
            try await site.request(.put, site.linkPath),
            try await site.request(.get, "/elsewhere/\(token)"),
            try await site.request(.post, "/users/activate/", headers: [("Sec-Fetch-Site", "cross-site")], body: site.form),
            try await site.request(.get, "/healthz"),
        ]
        for response in responses {
            XCTAssertEqual(response.headers[.referrerPolicy], "no-referrer")
            XCTAssertEqual(response.headers[.cacheControl], "no-store")
            XCTAssertNotNil(response.headers[.contentSecurityPolicy])
        }
        let logged = site.logged
        XCTAssertEqual(logged.map { $0["status"] as? Int }, [200, 405, 404, 403, 200])
        XCTAssertEqual(logged.map { $0["outcome"] as? String }, ["confirm", nil, "not_found", "cross_site", nil])
        XCTAssertEqual(logged[0]["path"] as? String, "/users/activate/\(site.link.link.uid)/[token]/")
        XCTAssertEqual(logged[0]["client"] as? String, "192.0.2.1")
        XCTAssertEqual(logged[0]["user_agent"] as? String, "router-tests")
        for line in logged {
            XCTAssertFalse((line["path"] as? String ?? "").contains(token.suffix(20)), "\(line)")
        }
        let metrics = try await site.request(.get, "/metrics").body
        for series in ["route=\"activation\",method=\"GET\",status=\"200\"", "route=\"activation\",method=\"other\",status=\"405\"",
                       "route=\"other\",method=\"GET\",status=\"404\"", "route=\"activation\",method=\"POST\",status=\"403\"",
                       "route=\"healthz\",method=\"GET\",status=\"200\"", "outcome=\"confirm\"", "outcome=\"cross_site\""] {
            XCTAssertTrue(metrics.contains(series), "\(series) in\n\(metrics)")
        }
    }

    /// Where ACTIVATION_URL puts the link decides the routes: in the query of a path (the forms
    /// then post to that path), at the site's root, or after a prefix that ends mid-component,
    /// which the router's components cannot say and the route checks itself.
    func testEveryPlaceATemplateCanPutTheLinkIsRouted() async throws {
        for (template, formPath) in [("https://www.example.com/verify?uid={uid}&token={token}", "/verify"),
                                     ("https://www.example.com/?u={uid}&t={token}", "/"),
                                     ("https://www.example.com/activate-{uid}-{token}", "/activate-"),
                                     ("https://www.example.com/a:b/*/{uid}/{token}/", "/a:b/*/")] {
            let site = try Site(self, activationURL: template)
            let page = try await site.request(.get, site.linkPath)
            XCTAssertEqual(page.status, 200, "\(template): \(site.linkPath)")
            XCTAssertTrue(page.body.contains("action=\"\(formPath)\""), "\(template): \(page.body)")
            let health = try await site.request(.get, "/healthz")
            XCTAssertEqual(health.body, "ok\n", "\(template): /healthz still answers")
            let elsewhere = try await site.request(.get, "/elsewhere")
            XCTAssertEqual(elsewhere.status, 404, template)
            let activated = try await site.request(.post, formPath, body: site.form)
            XCTAssertEqual(activated.status, 200, "\(template): POST \(formPath)")
            XCTAssertTrue(try XCTUnwrap(site.store.user(matching: .userID("hong"))).isActive, template)
            await site.stop()
        }
    }

    func testRoutePatternsKeepPlainComponentsOnly() {
        XCTAssertEqual(RoutePattern.of("/users/activate/", reach: .below), "/users/activate/**")
        XCTAssertEqual(RoutePattern.of("/users/activate/", reach: .exactly), "/users/activate")
        XCTAssertEqual(RoutePattern.of("/activate-", reach: .below), "/**")
        XCTAssertEqual(RoutePattern.of("/verify", reach: .exactly), "/verify")
        XCTAssertEqual(RoutePattern.of("/", reach: .exactly), "/")
        XCTAssertEqual(RoutePattern.of("/a/:b/c", reach: .exactly), "/a/**", "':b' would be a capture")
        XCTAssertEqual(RoutePattern.of("/a//c", reach: .exactly), "/a/**")
    }
}
