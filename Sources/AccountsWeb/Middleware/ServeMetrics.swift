import Synchronization

/// What `serve` itself counts, for /metrics beside the statistics `accounts stats` exposes:
/// responses by route, method and status, and pages by outcome.
final class ServeMetrics: Sendable {
    private let responses = Mutex<[String: Int]>([:])
    private let outcomes = Mutex<[String: Int]>([:])

    func record(route: String, method: String, status: Int, outcome: String?) {
        // Any token is a method to HTTP; a label must not let clients make new series at will.
        let method = ["GET", "HEAD", "POST"].contains(method) ? method : "other"
        responses.withLock { $0["route=\"\(route)\",method=\"\(method)\",status=\"\(status)\"", default: 0] += 1 }
        if let outcome { outcomes.withLock { $0["outcome=\"\(outcome)\"", default: 0] += 1 } }
    }

    var prometheusText: String {
        var text = "# HELP accounts_http_requests_total Responses of accounts serve, by route, method and status.\n"
        text += "# TYPE accounts_http_requests_total counter\n"
        for (labels, count) in responses.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            text += "accounts_http_requests_total{\(labels)} \(count)\n"
        }
        text += "# HELP accounts_serve_pages_total Activation pages shown, by what happened (confirm, activated, expired, ...).\n"
        text += "# TYPE accounts_serve_pages_total counter\n"
        for (labels, count) in outcomes.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            text += "accounts_serve_pages_total{\(labels)} \(count)\n"
        }
        return text
    }
}
