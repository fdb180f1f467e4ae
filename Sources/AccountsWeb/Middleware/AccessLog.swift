import AccountsCore

/// One JSON line on stderr per request, for journald or a log shipper. The path is the one the
/// flows redacted (no token), and the query string is left out: a link never leaks from here.
enum AccessLog {
    static func line(client: String, method: String, path: String, status: Int, outcome: String?, microseconds: Int64, userAgent: String?) -> String {
        JSONWriter.object([
            ("time", .string(UTCDateTime.now().iso8601)),
            ("client", .string(client)),
            ("method", .string(method)),
            ("path", .string(path)),
            ("status", .int(Int64(status))),
            ("outcome", outcome.map { .string($0) } ?? .null),
            ("duration_us", .int(microseconds)),
            ("user_agent", userAgent.map { .string(String($0.prefix(200))) } ?? .null),
        ]) + "\n"
    }

    static func toStandardError(_ line: String) {
        StandardError.write(line)
    }
}
