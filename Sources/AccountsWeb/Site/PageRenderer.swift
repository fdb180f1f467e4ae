import AccountsCore
import HTTPTypes
import Hummingbird
import NIOCore

/// A page as a response: its words (`PageText`) in the request's language, through the page
/// template, with the status, Retry-After and language headers it calls for. The pages every
/// route shares (not found, cross-site, too many requests, bad request, unavailable) are cases
/// of `ActivationPage` while activation is the one flow with pages.
struct PageRenderer: Sendable {
    let templates: PageTemplates
    /// ACTIVATION_SUCCESS_URL: where a browser goes once its account is active.
    let successURL: String?

    /// `formAction`: where the page's button posts (the route's forms' path).
    func render(_ page: ActivationPage, link: ActivationLink?, formAction: String, language: String) -> Response {
        let text = PageText(page, language: language)
        var context: [String: Any] = [
            "lang": language, language: true, "title": text.title, "message": text.message,
            "page": page.outcome, "status": page.status, "form_action": formAction,
        ]
        if let button = text.button, let action = page.formAction, let link {
            context["button"] = button
            context["action"] = action
            context["uid"] = link.uid
            context["token"] = link.token
        }
        if let user = page.user {
            context["user_id"] = PageText.shown(user.userID)
            context["masked_email"] = PageText.shown(MaskedEmail.mask(user.email))
        }
        var headers = HTTPFields()
        if case .activated = page, let successURL {
            // 303: the browser follows with a GET, and a reload does not post again.
            headers[.location] = successURL
            return Response(status: .seeOther, headers: headers)
        }
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.contentLanguage] = language
        headers[.vary] = "Accept-Language"
        switch page {
        case .cooldown(let seconds), .tooManyRequests(let seconds): headers[.retryAfter] = String(seconds)
        default: break
        }
        let html = templates.render(context)
        return Response(status: .init(code: page.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
