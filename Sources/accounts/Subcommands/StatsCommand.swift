import AccountsCLI
import AccountsCore
import ArgumentParser

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Count accounts by state, and what happened: registrations, mails, activations, purges.",
        discussion: """
            Accounts by state now, and from the audit log since --since (default 7d): registered, \
            activation mails sent, failed and retried, activations and the median and 90th percentile \
            time from registration to activation, accounts purged, deleted and restored. --format \
            prometheus writes the text format node_exporter's textfile collector reads (docs/cron.md has \
            the crontab line); its counters count from the start of the audit log, so --since does not \
            go with it. Metric names: docs/json.md.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json, prometheus
    }

    @Option(help: ArgumentHelp("The period: a span back from now (24h, 7d) or a UTC date or time (2026-11-20).", valueName: "when"))
    var since: String?

    @Option(help: "Output: table, json or prometheus.")
    var format: Format = .table

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let since, PointInTime.parse(since, now: .now()) == nil {
            throw ValidationError("--since '\(printable(since))' is neither a span such as 24h or 7d nor a UTC date such as 2026-11-20")
        }
        if since != nil, format == .prometheus {
            throw ValidationError("--since does not go with --format prometheus: its counters count from the start of the audit log (let Prometheus take the rate)")
        }
    }

    func run() throws {
        let context = try CommandContext(global)
        let period = format == .prometheus ? nil : PointInTime.parse(since ?? "7d", now: .now())
        let stats = try AccountStatistics.read(from: try context.store(), since: period, window: context.window())
        switch format {
        case .table: StatisticsOutput.table(stats, period: "since \(since ?? "7d")")
        case .json: StatisticsOutput.json(stats)
        case .prometheus: StatisticsOutput.prometheus(stats)
        }
    }
}
