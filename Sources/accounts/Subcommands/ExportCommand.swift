import AccountsCLI
import AccountsCore
import ArgumentParser
import Foundation

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every table as JSON Lines, to move the accounts to another database.",
        discussion: """
            One line per row of users, audit_log, purged_users and outbox, ids and datetimes exact, then \
            the id sequences; the first line is {"accounts_export":1}. The same rows give the same bytes \
            from SQLite and PostgreSQL, so a move can be checked with cmp:

              accounts export --database old.sqlite3 -o accounts.jsonl
              accounts import accounts.jsonl --database postgresql://db/site
              accounts export --database postgresql://db/site | cmp - accounts.jsonl

            The export holds password hashes: --output creates its file with mode 0600, and the command \
            refuses to write to a terminal. One snapshot: other processes may keep working.
            """
    )

    enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
        case jsonl
    }

    @Option(help: "Output: jsonl (JSON Lines).")
    var format: ExportFormat = .jsonl

    @Option(name: [.short, .long], help: ArgumentHelp("Write to this new file (mode 0600) instead of stdout.", valueName: "file"))
    var output: String?

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let context = try CommandContext(global)
        let descriptor: Int32
        if let output {
            descriptor = open(output, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                let reason = String(cString: strerror(errno))
                throw AccountsError(errno == EEXIST ? .cannotCreate : .ioError, "cannot create \(output): \(reason)\(errno == EEXIST ? " (not replacing it)" : "")")
            }
        } else {
            guard isatty(1) == 0 else {
                throw AccountsError(.usage, "export writes password hashes: send it to a file (-o accounts.jsonl, or > accounts.jsonl), not to a terminal")
            }
            descriptor = 1
        }
        let sink = output == nil ? Output.standardOutput : Output(descriptor: descriptor)
        var rows = 0
        let store: AccountStore
        do {
            store = try context.store()
            sink.write(bytes: TransferRecord.header)
            var line: [UInt8] = []
            try store.exportAll { record in
                line.removeAll(keepingCapacity: true)
                record.appendLine(to: &line)
                sink.write(bytes: line)
                rows += 1
            }
            sink.flush()
            if let output {
                guard fsync(descriptor) == 0, close(descriptor) == 0 else { throw AccountsError(.ioError, "cannot write \(output): \(String(cString: strerror(errno)))") }
            }
        } catch {
            // A half-written export must not pass for a whole one.
            if let output {
                close(descriptor)
                unlink(output)
            }
            throw error
        }
        context.info("exported \(rows - 1) rows from \(store.description)")
    }
}
