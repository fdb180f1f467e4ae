import AccountsCore

/// The words of the pages, in Korean and English. English follows what `accounts activate`
/// says; Korean keeps the seed's "메일 인증이 완료 되었습니다". Templates get them as variables,
/// so an operator's own templates can reword the layout without losing the translations.
struct PageText {
    var title: String
    var message: String
    /// The confirm page's button, or the expired page's "send me a new link".
    var button: String?

    /// Stored text as a page shows it: as the CLI shows it, control characters and bidirectional
    /// overrides written as escapes (HTML escaping alone would let U+202E reorder the page).
    static func shown(_ text: String) -> String {
        printable(text, limit: 200)
    }

    /// Each case of `ActivationPage` in `language` ("ko" or "en").
    init(_ page: ActivationPage, language: String) {
        let ko = language == "ko"
        let who = page.user.map { "'\(Self.shown($0.userID))' (\(Self.shown(MaskedEmail.mask($0.email))))" } ?? ""
        button = nil
        switch page {
        case .confirm:
            title = ko ? "계정 활성화" : "Activate your account"
            message = ko ? "계정 \(who)을(를) 활성화할까요?" : "Activate the account \(who)?"
            button = ko ? "활성화" : "Activate"
        case .activated:
            title = ko ? "인증 완료" : "Account activated"
            message = ko ? "메일 인증이 완료 되었습니다. 계정 \(who)이(가) 활성화되었습니다." : "Your email address is confirmed: the account \(who) is active."
        case .alreadyActive:
            title = ko ? "이미 활성화된 계정" : "Already active"
            message = ko ? "계정 \(who)은(는) 이미 활성화되어 있습니다." : "The account \(who) is already active."
        case .expired(_, let at, let offersNewLink):
            title = ko ? "만료된 링크" : "Link expired"
            if offersNewLink {
                message = ko ? "계정 \(who)의 인증 링크가 \(at.wholeSecondsText) UTC에 만료되었습니다. 새 링크를 메일로 받을 수 있습니다."
                             : "The activation link for \(who) expired at \(at.wholeSecondsText) UTC. You can have a new one mailed to you."
                button = ko ? "새 링크 보내기" : "Send me a new link"
            } else {
                message = ko ? "계정 \(who)의 인증 링크가 \(at.wholeSecondsText) UTC에 만료되었습니다. 사이트 관리자에게 새 링크를 요청하세요."
                             : "The activation link for \(who) expired at \(at.wholeSecondsText) UTC. Ask the site's administrator for a new one."
            }
        case .resent(let user):
            title = ko ? "새 링크를 보냈습니다" : "New link sent"
            message = ko ? "새 인증 링크를 \(Self.shown(MaskedEmail.mask(user.email)))(으)로 보냈습니다. 메일의 링크를 열어 주세요."
                         : "A new activation link was mailed to \(Self.shown(MaskedEmail.mask(user.email))). Open the link in that mail."
        case .superseded(let user):
            title = ko ? "더 새로운 링크가 있습니다" : "A newer link was sent"
            message = ko ? "이 링크 뒤에 새 인증 링크가 \(Self.shown(MaskedEmail.mask(user.email)))(으)로 발송되었습니다. 가장 최근 메일의 링크를 열어 주세요."
                         : "A newer activation link was mailed to \(Self.shown(MaskedEmail.mask(user.email))) after this one. Open the link in the latest mail."
        case .resendLimit:
            title = ko ? "더 보낼 수 없습니다" : "No more new links"
            message = ko ? "계정 \(who)에 보낼 수 있는 새 링크를 모두 보냈습니다. 사이트 관리자에게 문의하세요."
                         : "The account \(who) has had all the new links this page sends. Ask the site's administrator."
        case .cooldown(let seconds):
            title = ko ? "잠시 후 다시 시도" : "Try again later"
            message = ko ? "인증 메일을 방금 보냈습니다. \(seconds)초 후에 다시 시도해 주세요."
                         : "An activation mail went out a moment ago; try again in \(seconds) s."
        case .deactivated:
            title = ko ? "비활성화된 계정" : "Account deactivated"
            message = ko ? "계정 \(who)은(는) 활성화된 적이 있고 그 뒤 비활성화되었습니다. 인증 링크로는 다시 활성화할 수 없습니다. 관리자에게 문의하세요."
                         : "The account \(who) was deactivated after it had been active; an activation link cannot reactivate it (that is an administrator's act)."
        case .unknownAccount:
            title = ko ? "없는 계정" : "No such account"
            message = ko ? "이 링크의 계정이 없습니다. 기한 안에 인증하지 않아 삭제되었을 수 있습니다. 다시 가입해 주세요."
                         : "This activation link is for an account that does not exist (it may have been purged because it was not activated in time)."
        case .invalid(let reason):
            title = ko ? "잘못된 링크" : "Invalid link"
            switch reason {
            case .malformed:
                message = ko ? "인증 링크가 올바르지 않습니다. 메일의 링크 전체를 복사했는지 확인해 주세요."
                             : "Invalid activation link: it is cut off or mistyped. Check that the whole link from the mail was used."
            case .tokenDoesNotMatch:
                message = ko ? "인증 링크가 올바르지 않습니다. 이미 사용했거나, 새 링크나 새 비밀번호로 대체된 링크입니다."
                             : "Invalid activation link: the token does not match (wrong, already used, superseded by a new password, or signed with a retired key)."
            case .fromTheFuture:
                message = ko ? "인증 링크가 올바르지 않습니다. 링크의 발급 시각이 미래입니다."
                             : "Invalid activation link: its token is dated ahead of this server's clock, which no honest clock makes."
            }
        case .changedMeanwhile:
            title = ko ? "다시 시도" : "Try again"
            message = ko ? "활성화하는 동안 계정이 바뀌었습니다. 새 링크를 요청해 주세요."
                         : "Invalid activation link: the account changed while it was being activated; request a new link."
        case .unavailable:
            title = ko ? "일시적인 오류" : "Temporarily unavailable"
            message = ko ? "지금은 처리할 수 없습니다. 잠시 후 다시 시도해 주세요." : "This cannot be done right now; please try again in a few minutes."
        case .crossSite:
            title = ko ? "거부된 요청" : "Request refused"
            message = ko ? "다른 사이트에서 보낸 요청은 받지 않습니다. 메일의 링크를 직접 열어 주세요."
                         : "A request sent from another site is refused. Open the link from the mail directly."
        case .tooManyRequests(let seconds):
            title = ko ? "요청이 너무 많습니다" : "Too many requests"
            message = ko ? "요청이 너무 많습니다. \(seconds)초 후에 다시 시도해 주세요." : "Too many requests from this address; try again in \(seconds) s."
        case .notFound:
            title = ko ? "페이지 없음" : "Not found"
            message = ko ? "이 주소에는 페이지가 없습니다." : "There is no page at this address."
        case .badRequest:
            title = ko ? "잘못된 요청" : "Bad request"
            message = ko ? "요청을 이해할 수 없습니다. 메일의 링크를 다시 열어 주세요." : "The request could not be understood. Open the link from the mail again."
        }
    }
}
