import AccountsCore

/// What a flow's routes are built from: the settings, the store and the links' tokens, the
/// sender of the mails pages queue, the pages' renderer and the threads store calls run on.
struct SiteParts: Sendable {
    let settings: Settings
    let store: AccountStore
    let links: ActivationLinks
    let dispatcher: MailDispatcher
    let renderer: PageRenderer
    let calls: StoreCalls
}
