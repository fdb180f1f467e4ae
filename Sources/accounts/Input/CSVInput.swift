import AccountsCLI
import AccountsCore
import CSV
import Foundation

/// A registration file read with CSV.swift as a stream: a header row naming `user_id` and `email`
/// (and optionally `level`, `department`, in any order), then one account per row.
///
/// The file is opened once and read from the start for each pass (`forEachRow`), through our
/// own descriptor, so memory does not grow with its size. Standard input is first copied into a
/// private temporary file (0600, unlinked at once) so that it too can be read twice; a file that
/// changes between the passes is refused.
final class CSVInput {
    static let columns = ["user_id", "email", "level", "department"]

    /// How messages name the input.
    let name: String
    private let descriptor: Int32
    private let identity: (size: Int, modified: timespec)

    /// `path` "-" is standard input.
    init(path: String) throws {
        name = path == "-" ? "standard input" : path
        if path == "-" {
            descriptor = try Self.spoolStandardInput()
        } else {
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw AccountsError(.noInput, "cannot read \(path): \(String(cString: strerror(errno)))")
            }
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw AccountsError(.noInput, "cannot read \(name): not a regular file")
        }
        identity = (Int(info.st_size), info.st_mtim)
    }

    deinit { close(descriptor) }

    /// Reads the file from the start, calling `body` for each row with the line it starts on.
    func forEachRow(_ body: (BulkRow) throws -> Void) throws {
        try requireUnchanged()
        // A new open file description of our descriptor's file: its own offset, from the start.
        guard let stream = InputStream(fileAtPath: "/proc/self/fd/\(descriptor)") else {
            throw AccountsError(.noInput, "cannot read \(name)")
        }
        let reader: CSVReader
        do {
            reader = try CSVReader(stream: stream, hasHeaderRow: true)
        } catch CSVError.cannotReadHeaderRow {
            throw AccountsError(.badData, "\(name) is empty: it needs a header row (user_id,email[,level,department])")
        } catch {
            throw AccountsError(.badData, "\(name): line 1: not a CSV header row (\(error))")
        }
        guard let header = reader.headerRow else {
            throw AccountsError(.badData, "\(name) is empty: it needs a header row (user_id,email[,level,department])")
        }
        var names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if let first = names.first, first.hasPrefix("\u{FEFF}") { names[0].removeFirst() } // the byte order mark spreadsheets write
        if names == [""] {
            throw AccountsError(.badData, "\(name) is empty: it needs a header row (user_id,email[,level,department])")
        }
        for column in names where !Self.columns.contains(column) {
            throw AccountsError(.badData, "\(name): line 1: unknown column '\(printable(column))' (the columns are \(Self.columns.joined(separator: ", ")))")
        }
        guard Set(names).count == names.count else {
            throw AccountsError(.badData, "\(name): line 1: a column is named twice")
        }
        guard let userIDColumn = names.firstIndex(of: "user_id"), let emailColumn = names.firstIndex(of: "email") else {
            throw AccountsError(.badData, "\(name): line 1: the header must name user_id and email (got: \(printable(header.joined(separator: ","))))")
        }
        let levelColumn = names.firstIndex(of: "level")
        let departmentColumn = names.firstIndex(of: "department")

        var line = 2 + header.reduce(0) { $0 + Self.newlines($1) }
        while let fields = reader.next() {
            defer { line += 1 + fields.reduce(0) { $0 + Self.newlines($1) } }
            if fields.count == 1 && fields[0].isEmpty { continue } // a blank line
            guard fields.count == names.count else {
                throw AccountsError(.badData, "\(name): line \(line): \(fields.count) fields, but the header has \(names.count)")
            }
            func optional(_ index: Int?) -> String? { index.map { fields[$0] }.flatMap { $0.isEmpty ? nil : $0 } }
            try body(BulkRow(line: line, userID: fields[userIDColumn], email: fields[emailColumn],
                             level: optional(levelColumn), department: optional(departmentColumn)))
        }
        switch reader.error {
        case nil:
            break
        case CSVError.unicodeDecoding?:
            throw AccountsError(.badData, "\(name): line \(line): not UTF-8 text (save the file as CSV UTF-8)")
        // CSV.swift ends every stream with cannotReadFile, also when it simply reached the end.
        case CSVError.cannotReadFile? where stream.streamStatus == .atEnd:
            break
        case let error?:
            throw AccountsError(.badData, "\(name): line \(line): not valid CSV (\(error))")
        }
    }

    private func requireUnchanged() throws {
        var info = stat()
        guard fstat(descriptor, &info) == 0, Int(info.st_size) == identity.size,
              info.st_mtim.tv_sec == identity.modified.tv_sec, info.st_mtim.tv_nsec == identity.modified.tv_nsec else {
            throw AccountsError(.badData, "\(name) changed while it was being read; nothing was registered (run again)")
        }
    }

    /// Standard input, copied into a temporary file that nobody else can open: created 0600
    /// (O_EXCL) and unlinked at once, so it disappears with the process.
    private static func spoolStandardInput() throws -> Int32 {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        let path = directory + "/accounts-csv-" + UUID().uuidString
        let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw AccountsError(.ioError, "cannot make a temporary copy of standard input in \(directory): \(String(cString: strerror(errno)))")
        }
        unlink(path)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = read(0, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count == 0 { break }
            var written = 0
            while count > 0 && written < count {
                let result = buffer[written..<count].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                if result < 0 && errno == EINTR { continue }
                guard result > 0 else {
                    close(descriptor)
                    throw AccountsError(.ioError, "cannot make a temporary copy of standard input in \(directory): \(String(cString: strerror(errno)))")
                }
                written += result
            }
            if count < 0 {
                close(descriptor)
                throw AccountsError(.ioError, "cannot read standard input: \(String(cString: strerror(errno)))")
            }
        }
        return descriptor
    }

    private static func newlines(_ field: String) -> Int {
        field.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }
}
