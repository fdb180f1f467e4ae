import AccountsCore

/// What the pages do with a link, on the store: the same workflows as `accounts activate` and
/// `send-activation`'s rules, so the rules (never activated, expired, single use, cooldown) are
/// the ones every other path uses. Blocking calls: the server runs them on its thread pool.
struct ActivationSite: Sendable {
    let activation: ActivateWorkflow
    let requests: LinkRequestWorkflow
    let dispatcher: MailDispatcher
    /// ACTIVATION_RESEND_LIMIT is not 0: an expired link's page offers a new one.
    let offersNewLinks: Bool

    /// GET: changes nothing. A good link gets the confirm page; any other its own page.
    func visit(_ link: ActivationLink, at instant: UTCDateTime = .now()) throws -> ActivationPage {
        // The common case in one read; a refusal is examined further (was the token genuine?).
        if case .success(let accepted) = try activation.verdict(link, at: instant) { return .confirm(user: accepted.0) }
        let inspection = try activation.examine(link, at: instant)
        guard let refusal = inspection.refusal else {
            // Accepted in between (a clock tick); the account exists.
            return inspection.user.map { .confirm(user: $0) } ?? .unknownAccount
        }
        return page(for: refusal, user: inspection.user, genuine: inspection.keyIndex != nil)
    }

    /// POST "activate": the check and the conditional write of `accounts activate`, so that of
    /// any number of POSTs of one link exactly one activates.
    func activate(_ link: ActivationLink, at instant: UTCDateTime = .now()) throws -> ActivationPage {
        do {
            return .activated(user: try activation.activate(link, at: instant).user)
        } catch let error as AccountsError where error.kind == .badData || error.kind == .noSuchUser {
            // Refused (or beaten by a concurrent POST): the page says why, as a GET would now.
            return try visit(link, at: instant)
        }
    }

    /// POST "resend": `LinkRequestWorkflow`'s rules (the latest genuine link, expired; the
    /// cooldown; ACTIVATION_RESEND_LIMIT). The mail is queued and sent by the dispatcher's own
    /// threads: the page answers at once. Anything else gets the page a GET would.
    func resend(_ link: ActivationLink, at instant: UTCDateTime = .now()) throws -> ActivationPage {
        switch try requests.request(link, at: instant) {
        case .queued(let user, let mailID):
            dispatcher.send(mailID)
            return .resent(user: user)
        case .cooldown(_, let seconds): return .cooldown(seconds: seconds)
        case .notTheLatestLink(let user): return .superseded(user: user)
        case .overTheLimit(let user): return offersNewLinks ? .resendLimit(user: user) : try visit(link, at: instant)
        case .notExpired: return try visit(link, at: instant)
        }
    }

    /// The page for a refusal. Only a genuine token (its signature checked out, as issued) may
    /// learn the account's name or state; a guessed uid with a made-up token is just invalid.
    func page(for refusal: ActivationRefusal, user: User?, genuine: Bool) -> ActivationPage {
        switch refusal {
        case .notAUserID, .notAToken: return .invalid(.malformed)
        case .noSuchAccount: return .unknownAccount
        case .alreadyActive: return genuine && user != nil ? .alreadyActive(user: user!) : .invalid(.tokenDoesNotMatch)
        case .deactivated: return genuine && user != nil ? .deactivated(user: user!) : .invalid(.tokenDoesNotMatch)
        case .expired(_, let at): return user.map { .expired(user: $0, at: at, offersNewLink: offersNewLinks) } ?? .invalid(.tokenDoesNotMatch)
        case .fromTheFuture: return .invalid(.fromTheFuture)
        case .tokenDoesNotMatch: return .invalid(.tokenDoesNotMatch)
        case .changedMeanwhile: return .changedMeanwhile
        }
    }
}
