import HTTPTypes
import Hummingbird
import NIOCore

/// /healthz and /metrics: GET (and so HEAD) only, answered off the page threads.
struct OperationsRoutes: SiteRoutes {
    let health: HealthCheck
    let statistics: MetricsCache
    let metrics: ServeMetrics

    var routes: [SiteRoute] {
        let health = self.health, statistics = self.statistics, metrics = self.metrics
        return [
            SiteRoute(name: "healthz", method: .get, path: "/healthz", reach: .exactly) { _, _ in
                let healthy = await health.healthy()
                return PlainResponses.text(healthy ? .ok : .serviceUnavailable, healthy ? "ok\n" : "store unavailable\n")
            },
            SiteRoute(name: "metrics", method: .get, path: "/metrics", reach: .exactly) { _, _ in
                // The statistics (cached, `MetricsCache`) and the server's own counters (live).
                guard let text = await statistics.text() else { return PlainResponses.text(.serviceUnavailable, "store unavailable\n") }
                var headers = HTTPFields()
                headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text + metrics.prometheusText)))
            },
        ]
    }

    func methods(path: String, query: String?) -> (route: String, allowed: [HTTPRequest.Method])? {
        switch path {
        case "/healthz": ("healthz", [.get, .head])
        case "/metrics": ("metrics", [.get, .head])
        default: nil
        }
    }

    func redacted(_ path: String) -> String? { nil }

    var summary: String { "/healthz, /metrics" }
}
