import Synchronization

/// What answered a request, in the words of /metrics and the access log: the route's name
/// ("activation", "healthz", "metrics", or "other" when nothing did) and, for a page, its
/// outcome. The route writes it; the middleware around the router reads it once the response
/// is back (the context is passed down by value, so the note is a reference it shares).
final class RouteNote: Sendable {
    private let state = Mutex<(route: String, outcome: String?)>(("other", nil))

    func set(route: String, outcome: String?) {
        state.withLock { $0 = (route, outcome) }
    }

    /// The page's outcome, under the route's name the router noted.
    func set(outcome: String?) {
        state.withLock { $0.outcome = outcome }
    }

    var route: String { state.withLock { $0.route } }
    var outcome: String? { state.withLock { $0.outcome } }
}
