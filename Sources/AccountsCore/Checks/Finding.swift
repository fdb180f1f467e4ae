/// One result of `accounts check`, as Django's system checks report them: a stable id (the
/// letter says the severity: E error, W warning, I information), what is wrong, and the fix.
public struct Finding: Sendable, Equatable {
    public enum Severity: String, Sendable, Comparable {
        case error, warning, info

        public static func < (a: Severity, b: Severity) -> Bool {
            [Severity.error, .warning, .info].firstIndex(of: a)! < [Severity.error, .warning, .info].firstIndex(of: b)!
        }
    }

    /// `accounts.W009`: kept stable, so that a site can silence or alert on one by its id.
    public let id: String
    public let severity: Severity
    public let message: String
    public let fix: String?

    public init(_ id: String, _ severity: Severity, _ message: String, fix: String? = nil) {
        self.id = "accounts." + id
        self.severity = severity
        self.message = message
        self.fix = fix
    }
}
