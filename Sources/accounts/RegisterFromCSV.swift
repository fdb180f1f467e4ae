import AccountsCore
import Foundation

/// `register --from-csv`: read and check the whole file, register in one transaction, then mail
/// with a few connections in parallel, showing progress; a summary at the end.
struct RegisterFromCSV {
    let command: RegisterCommand
    let file: String

    func run() throws {
        let rows = try CSVInput.rows(path: file)
        let context = try CommandContext(command.global, mail: command.mailOptions)
        let secrets = try context.secrets()
        let links = context.links(context.tokens(secrets))
        // Check the mail settings before writing anything.
        _ = command.noSend ? nil : try context.mail(secrets, session: true)
        let store = try context.store(create: true)
        let workflow = BulkRegistrationWorkflow(store: store)
        let now = UTCDateTime.now()
        let plan = try workflow.plan(rows, defaultLevel: context.settings.defaultLevel,
                                     defaultDepartment: context.settings.defaultDepartment, at: now)
        let name = file == "-" ? "standard input" : file
        for problem in plan.problems {
            Output.error("\(name): \(problem)")
        }
        if !plan.problems.isEmpty && !command.skipInvalid {
            throw AccountsError(.badData, "\(plan.problems.count) of \(rows.count) rows are not valid; nothing was registered (fix them, or pass --skip-invalid)")
        }
        let (created, mails) = try workflow.register(plan, mail: !command.noSend, at: now)
        context.info("registered \(created.count) new accounts (\(plan.existing.count) already there, \(plan.problems.count) rows skipped)"
            + (command.noSend ? "; no mail sent (--no-send)" : "; mailing \(mails.count)"))

        let report = try MailRun(context: context, secrets: secrets, store: store, links: links,
                                 concurrency: command.concurrency).deliver(mails)
        if command.format == .json {
            Output.standardOutput.line(JSONWriter.object([
                ("rows", .int(Int64(rows.count))),
                ("registered", .int(Int64(created.count))),
                ("already_registered", .int(Int64(plan.existing.count))),
                ("invalid", .int(Int64(plan.problems.count))),
                ("mailed", .int(Int64(report.sent))),
                ("failed", .int(Int64(report.failures.count))),
                ("sent_by_another_process", .int(Int64(report.notTaken))),
            ]))
        }
        if let error = MailRun.error(for: report, of: mails.count) { throw error }
    }
}
