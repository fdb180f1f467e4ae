/// How `list` classifies an account (see `ActivationWindow.state`).
public enum AccountState: String, CaseIterable, Sendable {
    /// is_active = 1.
    case active
    /// Never activated, and the activation link could still be valid.
    case pending
    /// Never activated, and older than the activation window: what purge-expired deletes.
    case expired
    /// Deactivated after having been active (by Django's admin, say). Purge never touches these.
    case inactive
}
