import AccountsCore

/// The flows `serve` answers, one line each (as `Flows.mailing` in the core): a flow's folder
/// holds its routes, pages and texts, and its line here puts them on the router.
enum SiteFlows {
    /// Checks the settings a flow's routes need, before anything listens (a URL setting no
    /// request could answer is a configuration error, 78).
    static func check(_ settings: Settings) throws {
        _ = try ActivationRoute(activationURL: settings.activationURL)
    }

    static func routes(_ parts: SiteParts) throws -> [any SiteRoutes] {
        [
            try ActivationRoutes(parts),
        ]
    }
}
