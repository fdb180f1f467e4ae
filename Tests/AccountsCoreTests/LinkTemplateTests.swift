@testable import AccountsCore
import XCTest

/// ACTIVATION_URL has one reader: what `register` fills in, `activate` and `inspect` read back
/// from a paste and `serve` answers, for the path form and the query form; and the templates
/// none of them could answer, refused with the reason.
final class LinkTemplateTests: XCTestCase {
    let link = ActivationLink(uid: "MQ", token: "cb5xyz-0123456789abcdef0123")

    func testThePathFormRoundTrips() throws {
        let template = try LinkTemplate("https://www.site.kr/users/activate/{uid}/{token}/")
        XCTAssertEqual(template.formPath, "/users/activate/")
        XCTAssertEqual(template.placement, .path(prefix: "/users/activate/", separator: "/", suffix: "/"))
        let url = template.url(for: link)
        XCTAssertEqual(url, "https://www.site.kr/users/activate/MQ/cb5xyz-0123456789abcdef0123/")
        XCTAssertEqual(template.link(pasted: url), link)
        XCTAssertEqual(template.link(path: "/users/activate/MQ/cb5xyz-0123456789abcdef0123", query: nil), link, "no trailing slash")
        XCTAssertEqual(template.link(path: "/users/activate/M%51/cb5xyz-0123456789abcdef0123/", query: "utm_source=mail"), link)
        XCTAssertNil(template.link(path: "/elsewhere/MQ/cb5xyz-0123456789abcdef0123/", query: nil))
        XCTAssertNil(template.link(path: "/users/activate/MQ/x/cb5xyz-0123456789abcdef0123/", query: nil))
        // A suffix after the token, which "the last two segments" alone would misread.
        let confirm = try LinkTemplate("https://www.site.kr/a/{uid}-{token}/confirm/")
        XCTAssertEqual(confirm.link(pasted: confirm.url(for: link)), link)
        XCTAssertEqual(confirm.shape, "/<uid>-<token>/confirm/")
    }

    func testTheQueryFormRoundTrips() throws {
        let template = try LinkTemplate("https://www.site.kr/verify?lang=ko&uid={uid}&token={token}")
        XCTAssertEqual(template.formPath, "/verify")
        XCTAssertEqual(template.placement, .query(uid: "uid", token: "token"))
        let url = template.url(for: link)
        XCTAssertEqual(url, "https://www.site.kr/verify?lang=ko&uid=MQ&token=cb5xyz-0123456789abcdef0123")
        XCTAssertEqual(template.link(pasted: url), link)
        XCTAssertEqual(template.link(pasted: "  \(url)#top\n"), link)
        XCTAssertEqual(template.link(pasted: url.replacingOccurrences(of: "&", with: "&amp;")), link, "copied out of the HTML part")
        XCTAssertEqual(template.link(path: "/verify", query: "token=cb5xyz-0123456789abcdef0123&uid=MQ"), link, "in any order")
        XCTAssertEqual(template.link(path: "/verify/", query: "uid=MQ&token=cb5xyz%2D0123456789abcdef0123"), link)
        XCTAssertNil(template.link(path: "/verify", query: nil))
        XCTAssertNil(template.link(path: "/verify", query: "uid=MQ"))
        XCTAssertNil(template.link(path: "/verify", query: "uid=MQ&token="))
        XCTAssertNil(template.link(path: "/verify", query: "uid=MQ&uid=Mg&token=cb5xyz-0123456789abcdef0123"), "a name given twice")
        XCTAssertNil(template.link(path: "/other", query: "uid=MQ&token=cb5xyz-0123456789abcdef0123"))
        XCTAssertEqual(template.shape, "?uid=<uid>&token=<token>")
        // "=" or "&" before a combining mark is one Character with it; the bytes still separate.
        XCTAssertEqual(template.link(path: "/verify", query: "uid=\u{05AC}x&token=\u{0301}y"), ActivationLink(uid: "\u{05AC}x", token: "\u{0301}y"))
        XCTAssertEqual(template.link(pasted: "https://e.kr/verify?uid=MQ&\u{0301}=1&token=\u{0301}y"), ActivationLink(uid: "MQ", token: "\u{0301}y"))
        // A link made under an earlier, path-form ACTIVATION_URL still reads.
        XCTAssertEqual(template.link(pasted: "https://www.site.kr/users/activate/MQ/cb5xyz-0123456789abcdef0123/"), link)
        let named = try LinkTemplate("/k?u={uid}&t={token}")
        XCTAssertEqual(named.link(pasted: named.url(for: link)), link)
    }

    func testATemplateNoLinkCouldBeReadBackFromIsRefusedWithTheReason() {
        let refused: [(String, String)] = [
            ("https://e.com/activate/", "must contain {uid} and {token}"),
            ("https://e.com/activate/{uid}/", "must contain {uid} and {token}"),
            ("https://e.com/a/{token}/{uid}/", "puts {token} before {uid}"),
            ("https://e.com/a/{uid}{token}/", "with nothing between them"),
            ("https://e.com/a/{uid}/{token}/?again={uid}", "holds {uid} twice"),
            ("https://{uid}.e.com/a/{token}/", "outside its path and query"),
            ("https://e.com/a/#/{uid}/{token}", "outside its path and query"),
            ("https://e.com/a/{uid}/?token={token}", "one of {uid} and {token} in the path and the other in the query"),
            ("https://e.com/a?uid=x{uid}&token={token}", "the whole value of its own query parameter"),
            ("https://e.com/a?={uid}&token={token}", "the whole value of its own query parameter"),
            ("e.com?uid={uid}&token={token}", "no path starting with /"),
        ]
        for (template, reason) in refused {
            XCTAssertThrowsError(try LinkTemplate(template), template) { error in
                XCTAssertEqual((error as? AccountsError)?.kind, .configuration, template)
                XCTAssertTrue((error as? AccountsError)?.message.contains(reason) == true, "\(template): \(error)")
            }
        }
    }

    func testTheSettingsRefuseItWhenTheyAreRead() {
        var settings = Settings()
        settings.activationURL = "https://e.com/a/{token}/{uid}/"
        XCTAssertThrowsError(try settings.validate())
        settings.activationURL = "https://e.com/verify?uid={uid}&token={token}"
        XCTAssertNoThrow(try settings.validate())
    }

    func testHostAndSchemeForTheDeploymentCheck() throws {
        let template = try LinkTemplate("HTTPS://me@WWW.Site.KR:8443/verify?uid={uid}&token={token}")
        XCTAssertEqual(template.scheme, "https")
        XCTAssertEqual(template.host, "www.site.kr")
        XCTAssertEqual(try LinkTemplate("http://[::1]:8000/a/{uid}/{token}/").host, "::1")
    }
}
