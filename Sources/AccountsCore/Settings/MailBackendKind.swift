public enum MailBackendKind: String, Sendable, CaseIterable {
    case file, console, smtp

    /// Accepts the short names and Django's dotted backend paths.
    public init?(setting: String) {
        switch setting {
        case "file", "django.core.mail.backends.filebased.EmailBackend": self = .file
        case "console", "django.core.mail.backends.console.EmailBackend": self = .console
        case "smtp", "django.core.mail.backends.smtp.EmailBackend": self = .smtp
        default: return nil
        }
    }
}
