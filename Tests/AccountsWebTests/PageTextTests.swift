import AccountsCore
@testable import AccountsWeb
import XCTest

/// Every page of a flow has its words in every language `serve` offers (Settings.pageLanguages):
/// a page added without its Korean, or a language offered without its words, fails here.
final class PageTextTests: XCTestCase {
    static let user = User(id: 7, userID: "hong", email: "hong@example.com", password: "!x",
                           dateJoined: UTCDateTime(epochSeconds: 1_795_000_000))

    /// One of each page of the activation flow (the switch makes a new case a compile error here).
    static var activationPages: [ActivationPage] {
        let at = UTCDateTime(epochSeconds: 1_795_000_000)
        let pages: [ActivationPage] = [
            .confirm(user: user), .activated(user: user), .alreadyActive(user: user),
            .expired(user: user, at: at, offersNewLink: true), .expired(user: user, at: at, offersNewLink: false),
            .resent(user: user), .superseded(user: user), .resendLimit(user: user), .cooldown(seconds: 30),
            .deactivated(user: user), .unknownAccount, .invalid(.malformed), .invalid(.tokenDoesNotMatch),
            .invalid(.fromTheFuture), .changedMeanwhile, .unavailable, .crossSite, .tooManyRequests(retryAfter: 10),
            .notFound, .badRequest,
        ]
        for page in pages {
            switch page {
            case .confirm, .activated, .alreadyActive, .expired, .resent, .superseded, .resendLimit, .cooldown, .deactivated,
                 .unknownAccount, .invalid, .changedMeanwhile, .unavailable, .crossSite, .tooManyRequests, .notFound, .badRequest:
                break
            }
        }
        return pages
    }

    func testEveryPageHasItsWordsInEveryLanguageServeOffers() {
        XCTAssertEqual(Settings.pageLanguages, ["ko", "en"], "a language added needs its words in PageText")
        for page in Self.activationPages {
            let korean = PageText(page, language: "ko")
            let english = PageText(page, language: "en")
            for (language, text) in [("ko", korean), ("en", english)] {
                XCTAssertFalse(text.title.isEmpty, "\(page.outcome) \(language)")
                XCTAssertFalse(text.message.isEmpty, "\(page.outcome) \(language)")
                XCTAssertEqual(text.button != nil, page.formAction != nil, "a form's button, and only a form's: \(page.outcome) \(language)")
            }
            XCTAssertTrue(Self.hasHangul(korean.title) && Self.hasHangul(korean.message), "\(page.outcome) has Korean words")
            XCTAssertFalse(Self.hasHangul(english.title) || Self.hasHangul(english.message), "\(page.outcome) has English words")
            if let button = korean.button { XCTAssertTrue(Self.hasHangul(button), "\(page.outcome)'s button in Korean") }
        }
    }

    static func hasHangul(_ text: String) -> Bool {
        text.unicodeScalars.contains { (0xAC00...0xD7A3).contains($0.value) }
    }
}
