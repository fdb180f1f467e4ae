import AccountsCLI
import AccountsCore
import ArgumentParser

struct OutboxRetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Send the queued and failed-temporary mails that are due.",
        discussion: """
            Each mail gets a fresh link. A mail whose account is gone, already active, or has another \
            address now is marked failed-permanent instead. When the relay says "not now" (a 4xx, a \
            refused connection, a timeout, a refusal about the settings) the run stops; the rest waits \
            for the next run. Prints one line per mail on stderr, then how many are waiting for a later \
            retry and when the first is due (nothing with --quiet); with --format json, a summary on \
            stdout. Exit 0 when nothing failed; 78 when the relay refused the settings; 75 when some \
            mail failed or was not tried and will be retried; otherwise the exit code of the first \
            failure.

            Every ten minutes from cron, DIR and ACCOUNTS as in `accounts help purge-expired` (the Debian \
            package's accounts-outbox-retry.timer does this already):

            */10 * * * *  cd DIR && ACCOUNTS outbox retry --quiet
            """
    )

    @Flag(help: "Also send failed-temporary mail whose retry time has not come yet.")
    var all = false

    @Option(help: "Output: text (nothing on stdout) or json (a summary).")
    var format: ResultFormat = .text

    @OptionGroup var mailOptions: MailOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let context = try CommandContext(global, mail: mailOptions)
        let secrets = try context.secrets()
        // One connection for the whole run.
        let workflow = OutboxWorkflow(store: try context.store(), flows: try context.mailFlows(secrets, session: true))
        let summary = try workflow.retry(includingNotYetDue: all) { entry, outcome in
            let who = "#\(entry.id) to '\(printable(entry.userID ?? "?"))' <\(printable(entry.recipient))>"
            switch outcome {
            case .sent(let destination):
                context.info("sent \(who): \(destination)")
            case .failed(let failure):
                context.info("failed \(who)\(failure.permanent ? ", for good" : ", will retry"): \(failure.error.message)")
            case .abandoned(let reason):
                context.info("dropped \(who): \(reason)")
            case .notTaken:
                context.info("skipped \(who): another process is sending it")
            }
        }
        if let stop = summary.stoppedBy, summary.notTried > 0 {
            context.info("stopped after the relay said no (\(stop.error.message)): \(summary.notTried) due mails not tried; the next run tries them")
        }
        if summary.waiting > 0, let next = summary.nextAttemptAt {
            context.info("\(summary.waiting) mails wait for a later retry, the first due at \(next.wholeSecondsText) UTC; accounts outbox retry --all sends them now")
        }
        if format == .json {
            Output.standardOutput.line(JSONWriter.object([
                ("sent", .int(Int64(summary.sent))),
                ("failed_temporary", .int(Int64(summary.failures.temporary))),
                ("failed_permanent", .int(Int64(summary.failures.permanent))),
                ("dropped", .int(Int64(summary.abandoned))),
                ("skipped", .int(Int64(summary.notTaken))),
                ("not_tried", .int(Int64(summary.notTried))),
                ("waiting", .int(Int64(summary.waiting))),
                ("next_attempt_at", summary.nextAttemptAt.map { .string($0.iso8601) } ?? .null),
            ]))
        }
        if let error = summary.error { throw error }
    }
}
