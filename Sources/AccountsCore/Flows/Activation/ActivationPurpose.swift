/// Activation links: Django's `default_token_generator` itself (its salt, its hash value), so
/// that a Django site's own views and `accounts` accept each other's links.
public struct ActivationPurpose: TokenPurpose {
    public let keySalt = "django.contrib.auth.tokens.PasswordResetTokenGenerator"
    public init() {}
}
