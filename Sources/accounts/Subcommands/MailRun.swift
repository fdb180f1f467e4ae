import AccountsCLI
import AccountsCore

/// How the bulk commands send what they queued: a few connections at once, progress on stderr,
/// then a summary with the failures grouped by reason (the mail-by-mail detail is in
/// `accounts outbox`).
struct MailRun {
    let context: CommandContext
    let secrets: Secrets
    let store: AccountStore
    let links: ActivationLinks
    let concurrency: Int

    /// Each worker gets its own mail backend; for SMTP, a connection kept for its messages.
    var delivery: BulkDelivery {
        BulkDelivery(store: store, workers: concurrency) { [context, secrets, links] in
            ActivationMailFlow(links: links, mail: try context.mail(secrets, session: true))
        }
    }

    /// The progress reporter's callback for `total` mails.
    func progress(total: Int) -> @Sendable (BulkDelivery.Progress) -> Void {
        let reporter = ProgressReporter(label: "mailing", total: total, unit: "mails", quiet: context.quiet)
        return { progress in
            let done = progress.sent + progress.failed + progress.skipped
            reporter.update(done: done, summary: "\(done)/\(total)  sent \(progress.sent), failed \(progress.failed)")
        }
    }

    func summarize(_ report: BulkDelivery.Report) {
        for reason in report.failures.reasons {
            let who = reason.examples.map { "'\(printable($0))'" }.joined(separator: ", ") + (reason.count > reason.examples.count ? ", …" : "")
            Output.error("not mailed: \(reason.count) × \(reason.message) (\(who))"
                + (reason.permanent ? "" : "; they stay in the outbox: accounts outbox retry"))
        }
        if report.failures.ungrouped > 0 {
            Output.error("not mailed: \(report.failures.ungrouped) more, for other reasons; see: accounts outbox --state failed-temporary, --state failed-permanent")
        }
        if let stop = report.stoppedBy, !report.deferredMailIDs.isEmpty {
            let when = report.deferredUntil.map { " from \(String($0.wholeSecondsText.prefix(16))) UTC" } ?? ""
            Output.error("not tried: \(report.deferredMailIDs.count), after the relay said: \(stop.error.message); they stay queued, and accounts outbox retry sends them\(when)")
        }
        context.info("mailed \(report.sent), failed \(report.failures.count)"
            + (report.deferredMailIDs.isEmpty ? "" : ", not tried \(report.deferredMailIDs.count)")
            + (report.notTaken > 0 ? ", \(report.notTaken) sent by another process or no longer to be sent" : ""))
    }
}
