import AccountsCLI
import AccountsCore
import ArgumentParser

struct SendActivationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send-activation",
        abstract: "Mail a fresh activation link to a pending account, or to all of them.",
        discussion: """
            Refuses an active account. At most one mail per ACTIVATION_COOLDOWN seconds (default 60) per \
            account unless --force, so a loop cannot flood a mailbox. Prints the new URL. A mail still \
            waiting in the outbox for a retry is sent rather than a second one.

            --pending: every account never activated (list states pending and expired) whose cooldown \
            has passed, over --concurrency connections, with progress on stderr and a summary; exit 0 \
            when all went out, 75 when some will be retried.
            """
    )

    @OptionGroup var account: AccountSelection

    @Flag(help: "Every account never activated whose cooldown has passed, instead of one.")
    var pending = false

    @Flag(help: "Send even if the last mail went out within the cooldown.")
    var force = false

    @Option(help: "With --pending: how many mails to send at once, each over its own connection (1-32).")
    var concurrency = 4

    @Option(help: "Output: text (the URL; nothing with --pending) or json (with --pending, a summary).")
    var format: ResultFormat = .text

    @OptionGroup var mailOptions: MailOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard (account.reference == nil) == pending else { throw ValidationError("name an account (USER, --id, --user-id or --email), or --pending, not both") }
        guard (1...32).contains(concurrency) else { throw ValidationError("--concurrency must be from 1 to 32") }
    }

    func run() throws {
        let context = try CommandContext(global, mail: mailOptions)
        let secrets = try context.secrets()
        let links = context.links(context.tokens(secrets))
        let store = try context.store()
        let workflow = SendActivationWorkflow(store: store, links: links, mail: try context.mail(secrets),
                                              cooldown: context.settings.activationCooldown)
        guard let reference = account.reference else {
            return try sendToAllPending(workflow, MailRun(context: context, secrets: secrets, store: store, links: links, concurrency: concurrency))
        }
        let outcome = try workflow.send(to: reference, force: force)
        ActivationOutput.print(outcome, format: format)
        context.info("activation mail for '\(outcome.user.userID)' sent to \(outcome.deliveredTo ?? "?")")
    }

    private func sendToAllPending(_ workflow: SendActivationWorkflow, _ run: MailRun) throws {
        let now = UTCDateTime.now()
        let claims = try workflow.claimAllPending(force: force, at: now)
        run.context.info("\(claims.count) accounts never activated and out of their cooldown; mailing them")
        var report = BulkDelivery.Report()
        if !claims.isEmpty {
            report = try workflow.deliver(claims, with: run.delivery, claimedAt: now, progress: run.progress(total: claims.count))
            run.summarize(report)
        }
        if format == .json {
            Output.standardOutput.line(JSONWriter.object([
                ("pending", .int(Int64(claims.count))),
                ("mailed", .int(Int64(report.sent))),
                ("failed", .int(Int64(report.failures.count))),
                ("sent_by_another_process", .int(Int64(report.notTaken))),
            ]))
        }
        if let error = report.error { throw error }
    }
}
