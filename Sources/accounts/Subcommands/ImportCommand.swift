import AccountsCLI
import AccountsCore
import ArgumentParser
import Foundation

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load an export into a database, SQLite or PostgreSQL.",
        discussion: """
            Reads what 'accounts export' wrote (a file, or - for stdin) and loads every row in one \
            transaction (COPY on PostgreSQL): all of it or, on any error, nothing. The database is \
            created if needed and must be empty, unless --append, which adds the rows and refuses any \
            id, user_id or email already there. Afterwards every id sequence is past the largest id and \
            the sequence the export came with, and never moves back, so no id is ever handed out twice.

            Every row is checked as register checks an account (user_id, email, text without control \
            characters, ids from 1); rows about an account must have it in the file (or the database, \
            with --append); no account may take an archived account's id; sequences may run at most \
            max(1,000,000, the largest id) past their table's largest id; a line may hold at most 64 \
            KiB. A file that fails any check is refused (65) naming the line or row, and nothing is \
            written.
            """
    )

    @Argument(help: ArgumentHelp("The export file, or - for stdin.", valueName: "file"))
    var file: String

    @Flag(help: "Add to a database that already has rows.")
    var append = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let context = try CommandContext(global)
        let descriptor = file == "-" ? 0 : open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw AccountsError(errno == ENOENT ? .noInput : .ioError, "cannot open \(file): \(String(cString: strerror(errno)))")
        }
        defer { if descriptor != 0 { close(descriptor) } }
        var info = stat()
        let size = fstat(descriptor, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : nil
        let store = try context.store(create: true)
        let reporter = ProgressReporter(label: "importing", total: size, unit: "rows", quiet: global.quiet)
        let reader = TransferReader(descriptor: descriptor)
        var validator = TransferValidator()
        // With --append, rows may be about accounts the database already has.
        let existing = append ? try Self.accountIDs(in: store) : []
        var rows = 0
        let counts = try store.importAll(append: append) { each in
            try reader.forEach { record in
                do { try validator.check(record) } catch let error as AccountsError {
                    throw AccountsError(error.kind, "line \(reader.lineNumber): \(error.message)")
                }
                try each(record)
                rows += 1
                if rows % 1000 == 0 { reporter.update(done: reader.bytesRead, items: rows, summary: "\(rows) rows") }
            }
            try validator.finish { existing.contains($0) }
        }
        reporter.update(done: size ?? reader.bytesRead, items: rows, summary: "\(rows) rows")
        reporter.finish()
        context.info("imported \(counts.users) users, \(counts.auditLog) audit entries, \(counts.purgedUsers) archived accounts, \(counts.outbox) outbox rows into \(store.description)")
    }

    /// The ids of every account, current or archived, in the database.
    private static func accountIDs(in store: AccountStore) throws -> Set<Int64> {
        var ids: Set<Int64> = []
        try store.exportAll { record in
            switch record {
            case .user(let user): ids.insert(user.id)
            case .purgedUser(let purged): ids.insert(purged.user.id)
            default: break
            }
        }
        return ids
    }
}
