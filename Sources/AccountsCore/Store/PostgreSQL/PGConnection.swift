import CLibPQ
import Foundation
import Glibc

/// One libpq connection: parameterised statements only (PQexecParams: unnamed statements that
/// live no longer than their transaction, so PgBouncer's transaction pooling can hand the server
/// connection to someone else between two transactions), results in binary, errors by SQLSTATE.
///
/// libpq's rule is one connection per thread at a time; `PGPool` hands each to one caller at a
/// time, which is what makes the `@unchecked Sendable` true.
final class PGConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    /// How messages name the server: `postgresql://user@host:port/database`, never a password.
    let description: String
    /// How long one statement may run (or a stream wait for its next row) before it is cancelled:
    /// a lock someone else holds (a migration's LOCK TABLE) must not hang a command or a page.
    /// Measured here, not by the server's statement_timeout, which PgBouncer's transaction mode
    /// would not carry as a session setting. nil: no bound (an import's COPY and index builds).
    var statementTimeout: Duration?
    /// Statements that completed since the pool handed this connection out: none means a failure
    /// found the connection already dead (a restarted server), and the work can go to a fresh one.
    private(set) var completedStatements = 0
    /// Cancelled and never answered: the connection is not to be used again.
    private var abandoned = false

    /// Connects with libpq's keywords (`dbname` may be a URI, expanded by libpq; everything left
    /// out comes from PG* variables, the service file and .pgpass, as for psql).
    init(parameters: [(String, String)], describedAs fallback: String) throws {
        let keywords = parameters.map { strdup($0.0) } + [nil]
        let values = parameters.map { strdup($0.1) } + [nil]
        defer { (keywords + values).forEach { free($0) } }
        let connection: OpaquePointer? = keywords.map { UnsafePointer($0) }.withUnsafeBufferPointer { keys in
            values.map { UnsafePointer($0) }.withUnsafeBufferPointer { values in
                PQconnectdbParams(keys.baseAddress, values.baseAddress, 1)
            }
        }
        guard let connection else { throw AccountsError(.unavailable, "cannot connect to \(fallback): out of memory") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = PGConnection.oneLine(PQerrorMessage(connection))
            let needsPassword = PQconnectionNeedsPassword(connection) == 1
            PQfinish(connection)
            throw PGErrors.connectionFailure(message, needsPassword: needsPassword, target: fallback)
        }
        handle = connection
        description = PGConnection.describe(connection)
        // Notices ("relation already exists, skipping") would go to stderr by default.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
    }

    deinit { PQfinish(handle) }

    /// Still usable, and between transactions: fit to go back to the pool.
    var isReusable: Bool {
        !abandoned && PQstatus(handle) == CONNECTION_OK && PQtransactionStatus(handle) == PQTRANS_IDLE
    }

    /// The connection is gone (the server closed it, or it was abandoned).
    var isBroken: Bool { abandoned || PQstatus(handle) != CONNECTION_OK }

    /// Called by the pool as it hands the connection out.
    func checkedOut() { completedStatements = 0 }

    /// Runs `body` without a statement bound (an import's COPY and index builds take as long as
    /// the data does).
    func unbounded<T>(_ body: () throws -> T) rethrows -> T {
        let bound = statementTimeout
        statementTimeout = nil
        defer { statementTimeout = bound }
        return try body()
    }

    var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// Runs one statement and returns its whole result.
    @discardableResult
    func query(_ sql: String, _ parameters: [PGParameter] = [], table: String = "users") throws -> PGResult {
        let sent = withParameters(parameters) { count, types, values, lengths, formats in
            PQsendQueryParams(handle, sql, count, types, values, lengths, formats, 1)
        }
        guard sent == 1 else { throw PGErrors.failure(PGConnection.oneLine(PQerrorMessage(handle)), sqlState: nil, target: description) }
        return try check(try lastResult(), table: table)
    }

    /// Runs statements without parameters (BEGIN, COMMIT, schema changes), in one round trip.
    func execute(_ sql: String) throws {
        guard PQsendQuery(handle, sql) == 1 else {
            throw PGErrors.failure(PGConnection.oneLine(PQerrorMessage(handle)), sqlState: nil, target: description)
        }
        _ = try check(try lastResult(), table: "users")
    }

    /// Waits (within the statement bound) for every result of what was sent; the first failure,
    /// else the last result. The caller owns it.
    private func lastResult() throws -> OpaquePointer? {
        let deadline = statementTimeout.map { ContinuousClock.now + $0 }
        // The first failure (what went wrong), else the last result (a SELECT after SETs).
        var kept: OpaquePointer?
        var failed = false
        var timedOut = false
        while true {
            if try !waitForInput(until: deadline) {
                timedOut = true
                try cancelAndDrain()
                break
            }
            guard let next = PQgetResult(handle) else { break }
            if failed {
                PQclear(next)
                continue
            }
            if let old = kept { PQclear(old) }
            kept = next
            failed = !PQresultStatus(next).isSuccess
        }
        if timedOut {
            if let kept { PQclear(kept) }
            throw statementTimedOut()
        }
        return kept
    }

    /// Waits until libpq has a whole result to give (or the connection failed: PQgetResult says
    /// so). False when `deadline` passed first.
    private func waitForInput(until deadline: ContinuousClock.Instant?) throws -> Bool {
        while PQisBusy(handle) == 1 {
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
            guard descriptor.fd >= 0 else { return true }
            var wait: Int32 = -1
            if let deadline {
                let left = deadline - ContinuousClock.now
                guard left > .zero else { return false }
                wait = Int32(min(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1, 60_000))
            }
            let ready = poll(&descriptor, 1, wait)
            if ready < 0 && errno != EINTR { return true }
            if ready > 0, PQconsumeInput(handle) == 0 { return true }
        }
        return true
    }

    /// Asks the server to stop the statement, and reads what it answers (the "canceled" error);
    /// a server that does not answer within 5 s gets this connection given up on.
    private func cancelAndDrain() throws {
        cancel()
        let deadline = ContinuousClock.now + .seconds(5)
        while true {
            guard try waitForInput(until: deadline) else {
                abandoned = true
                return
            }
            guard let next = PQgetResult(handle) else { return }
            PQclear(next)
        }
    }

    private func statementTimedOut() -> PGFailure {
        let seconds = statementTimeout.map { "\($0.components.seconds)" } ?? "?"
        return PGErrors.failure("a statement ran longer than \(seconds) s (a lock held elsewhere, or an overloaded server) and was cancelled; try again",
                                sqlState: "57014", target: description)
    }

    /// Runs one statement and hands its rows to `body` one at a time as they arrive (libpq's
    /// single-row mode): memory stays flat however many rows there are.
    func stream(_ sql: String, _ parameters: [PGParameter] = [], table: String, _ body: (PGRow) throws -> Void) throws {
        let sent = withParameters(parameters) { count, types, values, lengths, formats in
            PQsendQueryParams(handle, sql, count, types, values, lengths, formats, 1)
        }
        guard sent == 1 else { throw PGErrors.failure(PGConnection.oneLine(PQerrorMessage(handle)), sqlState: nil, target: description) }
        PQsetSingleRowMode(handle)
        var failure: Error?
        while true {
            // The bound is on each wait for the next row: a long listing is no slow statement.
            if failure == nil, try !waitForInput(until: statementTimeout.map { ContinuousClock.now + $0 }) {
                try cancelAndDrain()
                throw statementTimedOut()
            }
            guard let next = PQgetResult(handle) else { break }
            let result = PGResult(next, table: table)
            if failure != nil { continue } // drain what is left after a failure
            switch PQresultStatus(next) {
            case PGRES_SINGLE_TUPLE:
                do { try body(result.row(0)) } catch {
                    failure = error
                    cancel()
                }
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
                break
            default:
                failure = PGErrors.failure(result: next, target: description)
            }
        }
        if let failure { throw failure }
        completedStatements += 1
    }

    /// Starts `COPY … FROM STDIN`; then `putCopyData` any number of times, then `endCopy`.
    func beginCopy(_ sql: String, table: String) throws {
        guard let started = PQexec(handle, sql) else { throw PGErrors.failure(PGConnection.oneLine(PQerrorMessage(handle)), sqlState: nil, target: description) }
        defer { PQclear(started) }
        guard PQresultStatus(started) == PGRES_COPY_IN else { throw PGErrors.failure(result: started, target: description) }
    }

    /// Rows in COPY's text format (`PGCopyText`).
    func putCopyData(_ bytes: [UInt8]) throws {
        let sent = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32($0.count)) }
        }
        guard sent == 1 else { throw PGErrors.failure(PGConnection.oneLine(PQerrorMessage(handle)), sqlState: nil, target: description) }
    }

    /// Ends the COPY; the server's verdict on all its rows (a clash, a bad value) comes here.
    func endCopy() throws {
        PQputCopyEnd(handle, nil)
        var failure: PGFailure?
        while let next = PQgetResult(handle) {
            if PQresultStatus(next) != PGRES_COMMAND_OK, failure == nil { failure = PGErrors.failure(result: next, target: description) }
            PQclear(next)
        }
        if let failure { throw failure }
    }

    /// Runs `body` in a transaction. A row lock waited on for longer than 15 s (as SQLite's busy
    /// timeout) ends it with "try again" (SQLSTATE 55P03). SET LOCAL: nothing outlives it.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN; SET LOCAL lock_timeout = '15s'")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            if PQtransactionStatus(handle) != PQTRANS_IDLE { _ = try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Asks the server to stop the running statement (the rest of a stream nobody reads).
    private func cancel() {
        guard let cancel = PQgetCancel(handle) else { return }
        var buffer = [CChar](repeating: 0, count: 256)
        PQcancel(cancel, &buffer, Int32(buffer.count))
        PQfreeCancel(cancel)
    }

    private func check(_ result: OpaquePointer?, table: String) throws -> PGResult {
        guard let result else { throw PGErrors.failure(PGConnection.oneLine(PQerrorMessage(handle)), sqlState: nil, target: description) }
        let wrapped = PGResult(result, table: table)
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
            completedStatements += 1
            return wrapped
        default: throw PGErrors.failure(result: result, target: description)
        }
    }

    private func withParameters<R>(_ parameters: [PGParameter],
                                   _ body: (Int32, UnsafePointer<Oid>?, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> R) -> R {
        let encoded = parameters.map(\.encoded)
        let types = parameters.map { Oid($0.type.rawValue) }
        let lengths = encoded.map { Int32($0?.bytes.count ?? 0) }
        let formats = encoded.map { Int32($0?.binary == true ? 1 : 0) }
        // Text values need a terminating NUL; libpq reads binary ones by length.
        let storage: [UnsafeMutablePointer<CChar>?] = encoded.map { value in
            guard let value else { return nil }
            let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: value.bytes.count + 1)
            value.bytes.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { pointer.update(from: $0.baseAddress!, count: $0.count) }
            }
            pointer[value.bytes.count] = 0
            return pointer
        }
        defer { storage.forEach { $0?.deallocate() } }
        let values = storage.map { UnsafePointer($0) }
        return values.withUnsafeBufferPointer { values in
            body(Int32(parameters.count), types, values.baseAddress, lengths, formats)
        }
    }

    /// libpq's messages end in a newline and may run over several lines ("\n\tIs the server
    /// running…"): the tool's errors are one line.
    static func oneLine(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "" }
        return String(cString: message).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// `postgresql://user@host:port/database` of a live connection (a socket directory as host).
    private static func describe(_ connection: OpaquePointer) -> String {
        func value(_ pointer: UnsafeMutablePointer<CChar>?) -> String { pointer.map { String(cString: $0) } ?? "" }
        return PostgresTarget.display(user: value(PQuser(connection)), host: value(PQhost(connection)),
                                      port: value(PQport(connection)), database: value(PQdb(connection)))
    }
}

extension ExecStatusType {
    var isSuccess: Bool { self == PGRES_TUPLES_OK || self == PGRES_COMMAND_OK }
}
