import AccountsCore

/// How the bulk commands send what they queued: a few connections at once, progress on stderr,
/// one line per mail that failed, and the error that sets the exit code.
struct MailRun {
    let context: CommandContext
    let secrets: Secrets
    let store: AccountStore
    let links: ActivationLinks
    let concurrency: Int

    func deliver(_ mails: [(OutboxEntry, User)]) throws -> BulkDelivery.Report {
        guard !mails.isEmpty else { return BulkDelivery.Report() }
        let progress = ProgressReporter(label: "mailing", total: mails.count, quiet: context.quiet)
        let delivery = BulkDelivery(store: store, links: links, workers: concurrency) { [context, secrets] in
            try context.mail(secrets, session: true)
        }
        let report = try delivery.deliver(mails) { done, _ in progress.update(done: done) }
        for failure in report.failures {
            Output.error("not mailed: '\(printable(failure.user.userID))' <\(printable(failure.user.email))>: \(failure.failure.error.message)"
                + (failure.failure.permanent ? "" : " (stays in the outbox: accounts outbox retry)"))
        }
        context.info("mailed \(report.sent), failed \(report.failures.count)"
            + (report.notTaken > 0 ? ", \(report.notTaken) sent by another process" : ""))
        return report
    }

    /// Exit 75 when a failed mail will be retried, else the first failure's kind; nil when none failed.
    static func error(for report: BulkDelivery.Report, of total: Int) -> AccountsError? {
        guard let first = report.failures.first else { return nil }
        let temporary = report.failures.contains { !$0.failure.permanent }
        return AccountsError(temporary ? .temporary : first.failure.error.kind,
                             "\(report.failures.count) of \(total) activation mails were not sent; first: \(first.failure.error.message)")
    }
}
