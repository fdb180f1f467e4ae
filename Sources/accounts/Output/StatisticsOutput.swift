import AccountsCLI
import AccountsCore

/// How `stats` prints: a table for people, JSON, or Prometheus' text exposition format for
/// node_exporter's textfile collector (metric names in docs/json.md; keep them stable).
enum StatisticsOutput {
    static func table(_ stats: AccountStatistics, period: String) {
        var lines: [(String, String)] = AccountState.allCases.map { ("accounts \($0.rawValue)", String(stats.accounts[$0] ?? 0)) }
        lines += [
            ("registered (\(period))", String(stats.count(.register))),
            ("mails sent", String(stats.count(.sendActivation))),
            ("mails failed", String(stats.count(.sendActivation, .failed))),
            ("mails retried", String(stats.retriedMails)),
            ("activated", String(stats.count(.activate))),
            ("to activation, median", stats.activationDelay(quantile: 0.5).map(duration) ?? "-"),
            ("to activation, 90th percentile", stats.activationDelay(quantile: 0.9).map(duration) ?? "-"),
            ("purged", String(stats.purgedAccounts)),
            ("deleted", String(stats.count(.delete))),
            ("restored", String(stats.count(.restore))),
        ]
        let width = lines.map(\.0.count).max() ?? 0
        for (name, value) in lines {
            Output.standardOutput.line(name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + value)
        }
    }

    static func json(_ stats: AccountStatistics) {
        Output.standardOutput.line(JSONWriter.object([
            ("since", stats.since.map { .string($0.iso8601) } ?? .null),
            ("accounts", .object(AccountState.allCases.map { ($0.rawValue, .int(Int64(stats.accounts[$0] ?? 0))) })),
            ("registered", .int(Int64(stats.count(.register)))),
            ("mails_sent", .int(Int64(stats.count(.sendActivation)))),
            ("mails_failed", .int(Int64(stats.count(.sendActivation, .failed)))),
            ("mails_retried", .int(Int64(stats.retriedMails))),
            ("activated", .int(Int64(stats.count(.activate)))),
            ("activation_seconds_median", stats.activationDelay(quantile: 0.5).map { .int($0) } ?? .null),
            ("activation_seconds_p90", stats.activationDelay(quantile: 0.9).map { .int($0) } ?? .null),
            ("purged", .int(Int64(stats.purgedAccounts))),
            ("deleted", .int(Int64(stats.count(.delete)))),
            ("restored", .int(Int64(stats.count(.restore)))),
        ]))
    }

    /// Counters count from the start of the audit log (Prometheus takes rates itself).
    static func prometheus(_ stats: AccountStatistics) {
        Output.standardOutput.write(stats.prometheusText)
    }

    private static func duration(_ seconds: Int64) -> String {
        switch seconds {
        case ..<120: "\(seconds) s"
        case ..<7200: "\(seconds / 60) min"
        case ..<172_800: String(format: "%.1f h", Double(seconds) / 3600)
        default: String(format: "%.1f days", Double(seconds) / 86_400)
        }
    }
}
