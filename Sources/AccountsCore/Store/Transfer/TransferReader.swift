#if canImport(Glibc)
import Glibc
#endif

/// Reads an export (JSON Lines, `TransferRecord`) from a file descriptor, a line at a time, and
/// checks every line strictly: an unknown table or key, a missing field or a value of the wrong
/// kind is an error naming the line, before anything is written.
public final class TransferReader {
    private let descriptor: Int32
    /// Bytes consumed so far, for a progress bar over a file of known size.
    public private(set) var bytesRead = 0
    /// The line of the record being handled (the header is line 1).
    public private(set) var lineNumber = 0

    /// No row the tool writes comes near this (an account is under 2 KB, an audit entry's detail
    /// at most 2,000 characters); a longer line is refused before it is held in memory whole.
    public static let maximumLineLength = 64 * 1024

    public init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Calls `body` with each record after the header line; `progress` with the bytes read.
    public func forEach(_ body: (TransferRecord) throws -> Void) throws {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var pending: [UInt8] = []
        lineNumber = 0
        var sawHeader = false
        func handle(_ line: UnsafeBufferPointer<UInt8>) throws {
            lineNumber += 1
            if !sawHeader {
                guard Array(line) + [UInt8(ascii: "\n")] == TransferRecord.header else {
                    throw AccountsError(.badData, "line 1 is not the first line of an accounts export ({\"accounts_export\":1})")
                }
                sawHeader = true
                return
            }
            if line.isEmpty { return }
            try body(try Self.record(line, number: lineNumber))
        }
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw AccountsError(.ioError, "cannot read the export: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytesRead += count
            try buffer.withUnsafeBufferPointer { chunk in
                var start = 0
                for index in 0..<count where chunk[index] == UInt8(ascii: "\n") {
                    guard pending.count + index - start <= Self.maximumLineLength else { throw Self.tooLong(lineNumber + 1) }
                    if pending.isEmpty {
                        try handle(UnsafeBufferPointer(rebasing: chunk[start..<index]))
                    } else {
                        pending.append(contentsOf: chunk[start..<index])
                        try pending.withUnsafeBufferPointer { try handle($0) }
                        pending.removeAll(keepingCapacity: true)
                    }
                    start = index + 1
                }
                guard pending.count + count - start <= Self.maximumLineLength else { throw Self.tooLong(lineNumber + 1) }
                pending.append(contentsOf: chunk[start..<count])
            }
        }
        if !pending.isEmpty { try pending.withUnsafeBufferPointer { try handle($0) } }
        if !sawHeader { throw AccountsError(.badData, "the export is empty") }
    }

    private static func tooLong(_ line: Int) -> AccountsError {
        AccountsError(.badData, "line \(line) is longer than \(maximumLineLength) bytes, which no row of an export is")
    }

    static func record(_ line: UnsafeBufferPointer<UInt8>, number: Int) throws -> TransferRecord {
        let parsed: [FlatJSON.Field]
        do {
            parsed = try FlatJSON.parse(line)
        } catch {
            throw AccountsError(.badData, "line \(number), byte \(error.offset + 1): \(error.reason)")
        }
        var fields = Fields(entries: parsed, line: number)
        let record: TransferRecord
        switch try fields.string("table") {
        case "users":
            record = .user(try fields.user())
        case "purged_users":
            let archiveID = try fields.int("archive_id")
            let user = try fields.user()
            record = .purgedUser(PurgedUser(archiveID: archiveID, user: user, purgedAt: try fields.date("purged_at"),
                                            auditID: try fields.optionalInt("audit_id"), restoredAt: try fields.optionalDate("restored_at")))
        case "audit_log":
            let id = try fields.int("id")
            let at = try fields.date("at")
            let osUser = try fields.string("os_user")
            let actionText = try fields.string("action")
            guard let action = AuditAction(rawValue: actionText) else { throw fields.invalid("action", "'\(printable(actionText))'") }
            let accountID = try fields.optionalInt("account_id")
            let userID = try fields.optionalString("user_id")
            let outcomeText = try fields.string("outcome")
            guard let outcome = AuditOutcome(rawValue: outcomeText) else { throw fields.invalid("outcome", "'\(printable(outcomeText))'") }
            record = .audit(AuditEntry(id: id, at: at, osUser: osUser, action: action, accountID: accountID, userID: userID,
                                       outcome: outcome, detail: try fields.string("detail")))
        case "outbox":
            let id = try fields.int("id")
            let accountID = try fields.int("account_id")
            let recipient = try fields.string("recipient")
            let stateText = try fields.string("state")
            guard let state = OutboxState(rawValue: stateText) else { throw fields.invalid("state", "'\(printable(stateText))'") }
            var entry = OutboxEntry(id: id, accountID: accountID, kind: .activation, userID: nil, recipient: recipient, state: state,
                                    attempts: Int(try fields.int("attempts")), lastCode: try fields.optionalInt("last_code").map { Int($0) },
                                    lastReply: try fields.optionalString("last_reply"), createdAt: try fields.date("created_at"),
                                    updatedAt: try fields.date("updated_at"), nextAttemptAt: try fields.optionalDate("next_attempt_at"),
                                    sentAt: try fields.optionalDate("sent_at"))
            // Exports made before mail kinds hold activation mails only, and no kind.
            if let kind = try fields.stringIfPresent("kind") { entry.kind = MailKind(rawValue: kind) }
            record = .outbox(entry)
        case "sequences":
            record = .sequences(TransferSequences(users: try fields.int("users"), purgedUsers: try fields.int("purged_users"),
                                                  auditLog: try fields.int("audit_log"), outbox: try fields.int("outbox")))
        case let other:
            throw AccountsError(.badData, "line \(number): unknown table '\(printable(other))'")
        }
        if let extra = fields.unread.sorted().first {
            throw AccountsError(.badData, "line \(number): unknown key '\(printable(extra))' for \(record.table)")
        }
        return record
    }

    /// The fields of one line, each taken once; what is left over is reported.
    private struct Fields {
        let entries: [FlatJSON.Field]
        let line: Int
        /// Bit i: entries[i] was taken (FlatJSON allows at most 32 fields).
        private var taken: UInt64 = 0
        /// Where the next key usually is: export writes them in the order they are taken here.
        private var next = 0

        init(entries: [FlatJSON.Field], line: Int) {
            self.entries = entries
            self.line = line
        }

        var unread: [String] { entries.indices.filter { taken & (1 << $0) == 0 }.map { entries[$0].key } }

        mutating func take(_ key: String) throws -> FlatJSON.Value {
            let index: Int
            if next < entries.count, entries[next].key == key {
                index = next
            } else if let found = entries.firstIndex(where: { $0.key == key }) {
                index = found
            } else {
                throw AccountsError(.badData, "line \(line): no \(key)")
            }
            taken |= 1 << index
            next = index + 1
            return entries[index].value
        }

        func invalid(_ key: String, _ what: String) -> AccountsError {
            AccountsError(.badData, "line \(line): \(key) is \(what), which is not valid there")
        }

        mutating func string(_ key: String) throws -> String {
            guard case .string(let text) = try take(key) else { throw invalid(key, "not a string") }
            return text
        }

        /// A string field that older exports do not have (nil when the key is absent).
        mutating func stringIfPresent(_ key: String) throws -> String? {
            guard entries.contains(where: { $0.key == key }) else { return nil }
            return try string(key)
        }

        mutating func optionalString(_ key: String) throws -> String? {
            switch try take(key) {
            case .null: return nil
            case .string(let text): return text
            default: throw invalid(key, "not a string")
            }
        }

        mutating func int(_ key: String) throws -> Int64 {
            guard case .int(let number) = try take(key) else { throw invalid(key, "not a whole number") }
            return number
        }

        mutating func optionalInt(_ key: String) throws -> Int64? {
            switch try take(key) {
            case .null: return nil
            case .int(let number): return number
            default: throw invalid(key, "not a whole number")
            }
        }

        mutating func bool(_ key: String) throws -> Bool {
            guard case .bool(let flag) = try take(key) else { throw invalid(key, "not true or false") }
            return flag
        }

        mutating func date(_ key: String) throws -> UTCDateTime {
            guard let value = try optionalDate(key) else { throw invalid(key, "null") }
            return value
        }

        /// RFC 3339 in UTC, as export writes it: 2026-11-22T10:00:00.123456Z.
        mutating func optionalDate(_ key: String) throws -> UTCDateTime? {
            guard var text = try optionalString(key) else { return nil }
            let value = text.withUTF8 { bytes -> UTCDateTime?? in
                guard bytes.count > 20, bytes[10] == UInt8(ascii: "T"), bytes.last == UInt8(ascii: "Z") else { return .none }
                return .some(UTCDateTime(storageBytes: UnsafeBufferPointer(rebasing: bytes.dropLast())))
            }
            guard let parsed = value else {
                throw invalid(key, "'\(printable(text))' (not a UTC date such as 2026-11-22T10:00:00.000000Z)")
            }
            guard let date = parsed else { throw invalid(key, "'\(printable(text))' (not a date)") }
            return date
        }

        mutating func user() throws -> User {
            User(id: try int("id"), userID: try string("user_id"), email: try string("email"), password: try string("password"),
                 isActive: try bool("is_active"), level: try optionalString("level"), department: try optionalString("department"),
                 dateJoined: try date("date_joined"), lastLogin: try optionalDate("last_login"),
                 activationSentAt: try optionalDate("activation_sent_at"), activatedAt: try optionalDate("activated_at"))
        }
    }
}
