import AccountsCLI
import AccountsCore
import Foundation

/// `register --from-csv`: check the whole file, register in one transaction, then mail with a
/// few connections in parallel, showing progress; a summary at the end.
struct RegisterFromCSV {
    let file: String
    let skipInvalid: Bool
    let concurrency: Int
    let sendMail: Bool
    let format: ResultFormat

    func run(_ context: CommandContext) throws {
        let input = try CSVInput(path: file)
        let secrets = try context.secrets()
        let links = context.links(context.tokens(secrets))
        // Check the mail settings before writing anything.
        if sendMail { _ = try context.mail(secrets, session: true) }
        let store = try context.store(create: true)
        let workflow = BulkRegistrationWorkflow(store: store, defaultLevel: context.settings.defaultLevel,
                                                defaultDepartment: context.settings.defaultDepartment)
        let now = UTCDateTime.now()
        let plan = try workflow.check(input.forEachRow, at: now) { problem in
            Output.error("\(input.name): \(problem)")
        }
        if plan.invalid > 0 && !skipInvalid {
            throw AccountsError(.badData, "\(plan.invalid) of \(plan.rows) rows are not valid; nothing was registered (fix them, or pass --skip-invalid)")
        }
        let (created, mails) = try workflow.register(input.forEachRow, plan: plan, mail: sendMail, at: now)
        context.info("registered \(created) new accounts (\(plan.existing) already there, \(plan.invalid) rows skipped)"
            + (sendMail ? "; mailing \(mails.count)" : "; no mail sent (--no-send)"))

        let run = MailRun(context: context, secrets: secrets, store: store, links: links, concurrency: concurrency)
        var report = BulkDelivery.Report()
        if !mails.isEmpty {
            report = try run.delivery.deliver(mails, progress: run.progress(total: mails.count))
            run.summarize(report)
        }
        if format == .json {
            Output.standardOutput.line(JSONWriter.object([
                ("rows", .int(Int64(plan.rows))),
                ("registered", .int(Int64(created))),
                ("already_registered", .int(Int64(plan.existing))),
                ("invalid", .int(Int64(plan.invalid))),
                ("mailed", .int(Int64(report.sent))),
                ("failed", .int(Int64(report.failures.count))),
                ("sent_by_another_process", .int(Int64(report.notTaken))),
            ]))
        }
        if let error = report.error { throw error }
    }
}
