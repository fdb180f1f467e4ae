/// `restore`: put a purged account back from purged_users and give it a fresh activation link.
public struct RestoreWorkflow {
    let store: AccountStore
    let links: ActivationLinks
    let mail: ActivationMail?

    /// `mail` nil: restore and print the link, send nothing.
    public init(store: AccountStore, links: ActivationLinks, mail: ActivationMail?) {
        self.store = store
        self.links = links
        self.mail = mail
    }

    /// `reference` names the account as it was archived (`AccountStore.latestArchive`).
    public func restore(_ reference: AccountReference, at instant: UTCDateTime = .now()) throws -> RegisterWorkflow.Outcome {
        let user = try store.restore(archiveID: try store.latestArchive(matching: reference).archiveID, at: instant)
        return try RegisterWorkflow.mailNewAccount(user, links: links, mail: mail, store: store, at: instant, whatHappened: "restored")
    }
}
