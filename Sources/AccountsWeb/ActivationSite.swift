import AccountsCore

/// What the pages do with a link, on the store: the same workflows as `accounts activate` and
/// `accounts send-activation`, so the rules (never activated, expired, single use, cooldown)
/// are the ones every other path uses. Blocking calls: the server runs them on its thread pool.
struct ActivationSite: Sendable {
    let store: AccountStore
    let activation: ActivateWorkflow
    let links: ActivationLinks
    let cooldown: Int64
    /// A mail backend of its own for each resend: an SMTP session is one thread's.
    let makeMail: @Sendable () throws -> ActivationMail

    /// GET: changes nothing. A good link gets the confirm page; any other its own page.
    func visit(_ link: ActivationLink, at instant: UTCDateTime = .now()) throws -> ActivationPage {
        // The common case in one read; a refusal is examined further (was the token genuine?).
        if case .success(let accepted) = try activation.verdict(link, at: instant) { return .confirm(user: accepted.0) }
        let inspection = try activation.examine(link, at: instant)
        guard let refusal = inspection.refusal else {
            // Accepted in between (a clock tick); the account exists.
            return inspection.user.map { .confirm(user: $0) } ?? .unknownAccount
        }
        return Self.page(for: refusal, user: inspection.user, genuine: inspection.keyIndex != nil)
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

    /// POST "resend": only for a genuine link that expired, under ACTIVATION_COOLDOWN, as
    /// `accounts send-activation` without --force. Anything else gets the page a GET would.
    func resend(_ link: ActivationLink, at instant: UTCDateTime = .now()) throws -> ActivationPage {
        let page = try visit(link, at: instant)
        guard case .expired(let user, _) = page else { return page }
        let workflow = SendActivationWorkflow(store: store, links: links, mail: try makeMail(), cooldown: cooldown)
        do {
            _ = try workflow.send(to: .id(user.id), force: false, at: instant)
            return .resent(user: user)
        } catch let error as AccountsError where error.hint == .forceSkipsCooldown {
            let sent = try store.user(id: user.id)?.activationSentAt ?? instant
            return .cooldown(seconds: max(1, sent.epochSeconds + cooldown - instant.epochSeconds))
        }
    }

    /// /healthz: can the store answer a query now?
    func healthy() -> Bool {
        do {
            _ = try store.user(id: 1)
            return true
        } catch {
            return false
        }
    }

    /// The page for a refusal. Only a genuine token (its signature checked out, as issued) may
    /// learn the account's name or state; a guessed uid with a made-up token is just invalid.
    static func page(for refusal: ActivationRefusal, user: User?, genuine: Bool) -> ActivationPage {
        switch refusal {
        case .notAUserID, .notAToken: return .invalid(.malformed)
        case .noSuchAccount: return .unknownAccount
        case .alreadyActive: return genuine && user != nil ? .alreadyActive(user: user!) : .invalid(.tokenDoesNotMatch)
        case .deactivated: return genuine && user != nil ? .deactivated(user: user!) : .invalid(.tokenDoesNotMatch)
        case .expired(_, let at): return user.map { .expired(user: $0, at: at) } ?? .invalid(.tokenDoesNotMatch)
        case .fromTheFuture: return .invalid(.fromTheFuture)
        case .tokenDoesNotMatch: return .invalid(.tokenDoesNotMatch)
        case .changedMeanwhile: return .changedMeanwhile
        }
    }
}
