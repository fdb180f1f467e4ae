/// Prometheus' text exposition format of the statistics, for `stats --format prometheus` (the
/// textfile collector) and `serve`'s /metrics, so that both expose the same names (docs/json.md;
/// keep them stable). Counters count from the start of the audit log (Prometheus takes rates).
extension AccountStatistics {
    public var prometheusText: String {
        var text = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, Int64)]) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, value) in samples { text += "\(name)\(labels) \(value)\n" }
        }
        metric("accounts_users", "gauge", "Accounts by state (list's states).",
               AccountState.allCases.map { ("{state=\"\($0.rawValue)\"}", Int64(accounts[$0] ?? 0)) })
        metric("accounts_registrations_total", "counter", "Accounts registered.", [("", Int64(count(.register)))])
        metric("accounts_activation_mails_total", "counter", "Activation mails, by how the relay answered.",
               [("{outcome=\"sent\"}", Int64(count(.sendActivation))), ("{outcome=\"failed\"}", Int64(count(.sendActivation, .failed)))])
        metric("accounts_activation_mails_retried_total", "counter", "Activation mails that needed more than one attempt.",
               [("", Int64(retriedMails))])
        metric("accounts_activations_total", "counter", "Accounts activated through a link.", [("", Int64(count(.activate)))])
        text += "# HELP accounts_activation_delay_seconds From registration to activation through a link.\n"
        text += "# TYPE accounts_activation_delay_seconds summary\n"
        for quantile in [0.5, 0.9] {
            text += "accounts_activation_delay_seconds{quantile=\"\(quantile)\"} \(activationDelay(quantile: quantile).map(String.init) ?? "NaN")\n"
        }
        text += "accounts_activation_delay_seconds_sum \(activationDelays.reduce(0, +))\n"
        text += "accounts_activation_delay_seconds_count \(activationDelays.count)\n"
        metric("accounts_purged_total", "counter", "Accounts removed by purge-expired.", [("", Int64(purgedAccounts))])
        metric("accounts_deletions_total", "counter", "Accounts deleted by an administrator.", [("", Int64(count(.delete)))])
        metric("accounts_restores_total", "counter", "Accounts restored from the archive.", [("", Int64(count(.restore)))])
        return text
    }
}
