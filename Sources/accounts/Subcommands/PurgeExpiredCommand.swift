import AccountsCLI
import AccountsCore
import ArgumentParser

struct PurgeExpiredCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge-expired",
        abstract: "Delete accounts that were never activated and whose link has expired.",
        discussion: """
            Deletes accounts that are not active, never logged in and were never activated, whose last \
            activation mail (or, with none, sign-up) is older than PASSWORD_RESET_TIMEOUT or --older-than. \
            An account that is or ever was active is never touched. Every deleted row is kept in the \
            purged_users table. Works in batches (--batch-size accounts each, oldest first), each one \
            transaction with its audit entry: the site keeps registering meanwhile, and a purge stopped \
            halfway leaves whole batches, the next run doing the rest. One purge at a time per database; a \
            second exits 75.

            Prints one summary line with the count, which --quiet leaves out; --dry-run prints the \
            accounts that would go, one a line (id, user_id, email, when their window started), with \
            --quiet too.

            Nightly from cron, where DIR is the directory that holds settings.json and ACCOUNTS the path \
            `command -v accounts` prints (/usr/bin/accounts from the Debian package, whose \
            accounts-purge.timer does this already):

            17 3 * * *  cd DIR && ACCOUNTS purge-expired --quiet
            """
    )

    @Flag(help: "Show what would be deleted, delete nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp("Age instead of PASSWORD_RESET_TIMEOUT: e.g. 72h, 3d, 1d12h, 2w, 90m, 3600s.", valueName: "duration"))
    var olderThan: String?

    @Option(help: ArgumentHelp("Accounts per transaction.", valueName: "n"))
    var batchSize: Int = PurgeBatch.defaultSize

    @Option(help: "Output: text or json.")
    var format: ResultFormat = .text

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard (1...1_000_000).contains(batchSize) else { throw ValidationError("--batch-size must be from 1 to 1000000") }
        if let olderThan, DurationParser.seconds(olderThan) == nil {
            throw ValidationError("--older-than '\(printable(olderThan))' is not a duration such as 72h, 3d or 1d12h")
        }
    }

    func run() throws {
        let context = try CommandContext(global)
        let workflow = PurgeWorkflow(store: try context.store(), window: context.window(timeout: olderThan.flatMap(DurationParser.seconds)))
        let now = UTCDateTime.now()
        let count: Int
        // With --dry-run --format json, the accounts that would go, as JSON objects in an array.
        var wouldGo: [UInt8] = []
        if dryRun {
            count = try workflow.preview(at: now) { user in
                switch format {
                case .text:
                    // What a dry run exists to show: data, printed with --quiet too.
                    Output.standardOutput.line("\(user.id)\t\(printable(user.userID))\t\(printable(user.email))\t\(user.activationWindowStart.wholeSecondsText)")
                case .json:
                    if !wouldGo.isEmpty { wouldGo.append(UInt8(ascii: ",")) }
                    JSONWriter.appendObject([
                        ("id", .int(user.id)), ("user_id", .string(user.userID)), ("email", .string(user.email)),
                        ("activation_window_started", .string(user.activationWindowStart.iso8601)),
                    ], to: &wouldGo)
                }
            }
        } else {
            let reporter = ProgressReporter(label: "purging", total: nil, unit: "accounts", quiet: global.quiet)
            defer { reporter.finish() }
            count = try workflow.purge(at: now, batchSize: batchSize) { reporter.update(done: $0, summary: "purged \($0)") }
        }
        switch format {
        case .json:
            var object = JSONWriter.object([
                ("purged", .int(dryRun ? 0 : Int64(count))),
                ("would_purge", .int(dryRun ? Int64(count) : 0)),
                ("dry_run", .bool(dryRun)),
                ("cutoff", .string(workflow.window.cutoff(at: now).iso8601)),
            ])
            object.removeLast()
            Output.standardOutput.write(object + ",\"accounts\":[")
            Output.standardOutput.write(bytes: wouldGo)
            Output.standardOutput.line("]}")
        case .text:
            if !global.quiet {
                let noun = count == 1 ? "account" : "accounts"
                Output.standardOutput.line(dryRun ? "would purge \(count) \(noun)" : "purged \(count) \(noun)")
            }
        }
    }
}
