/// The path as the access log shows it: each flow's routes redact their own addresses (a token
/// route's token never reaches the log), and anywhere else a segment shaped like a token is
/// hidden. The flows are asked whichever listener took the request.
struct LogRedaction: Sendable {
    let flows: [any SiteRoutes]

    func redacted(_ path: String) -> String {
        for flow in flows {
            if let shown = flow.redacted(path) { return shown }
        }
        return Self.tokenShapesHidden(path)
    }

    /// Every segment shaped like a token (`…-<20 or more hex digits>`, percent-encoded or not:
    /// what is left of a token once cut) replaced by `[token]`.
    static func tokenShapesHidden(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false)
            .map { looksLikeToken($0) ? "[token]" : String($0) }.joined(separator: "/")
    }

    private static func looksLikeToken(_ segment: Substring) -> Bool {
        let text = segment.utf8.contains(UInt8(ascii: "%")) ? (segment.removingPercentEncoding ?? String(segment)) : String(segment)
        guard let dash = text.lastIndex(of: "-") else { return false }
        let tail = text[text.index(after: dash)...].prefix { $0.isHexDigit }
        return tail.count >= 20
    }
}
