import AccountsCLI
import AccountsCore
import Foundation
import Synchronization

/// Progress of a long run on stderr: on a terminal, one line redrawn in place (a bar when the
/// total is known, the count, the rate, the time left); otherwise a plain line every few seconds,
/// which logs and cron mail can keep. Safe to call from several threads. (Hand-written:
/// console-kit's progress bar shows neither a rate nor a time left, and would bring swift-nio
/// along for these lines.)
final class ProgressReporter: Sendable {
    private let label: String
    /// What `done` counts up to (mails, bytes of a file); nil when not known beforehand.
    private let total: Int?
    /// What the rate counts: "mails", "accounts", "rows".
    private let unit: String
    private let quiet: Bool
    private let isTerminal = isatty(2) == 1
    private let started = Date()
    /// When the line was last drawn, and whether a terminal line is open.
    private let shown = Mutex<(last: Date?, open: Bool)>((nil, false))

    init(label: String, total: Int?, unit: String, quiet: Bool) {
        self.label = label
        self.total = total
        self.unit = unit
        self.quiet = quiet
    }

    /// `done` of `total`; `items` (default: `done`) is what the rate counts; `summary` follows.
    func update(done: Int, items: Int? = nil, summary: String) {
        guard !quiet else { return }
        let now = Date()
        let finished = total.map { done >= $0 } ?? false
        let interval = isTerminal ? 0.1 : 5.0
        let due = shown.withLock { shown -> Bool in
            // Not on a terminal, a run shorter than the interval shows only its end.
            let last = shown.last ?? (isTerminal ? nil : started)
            guard finished || last.map({ now.timeIntervalSince($0) >= interval }) ?? true else { return false }
            shown = (now, isTerminal && !finished)
            return true
        }
        guard due else { return }
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        var counts = "\(summary)  \(String(format: "%.1f", Double(items ?? done) / elapsed)) \(unit)/s"
        var bar = ""
        if let total {
            let rate = Double(done) / elapsed
            let left = rate > 0 ? Int((Double(total - done) / rate).rounded(.up)) : 0
            counts += "  ETA \(left / 60):\(String(format: "%02d", left % 60))"
            let width = 30
            let filled = total == 0 ? width : min(width, width * done / total)
            bar = " [" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
        }
        if isTerminal {
            StandardError.write("\r\u{1B}[K\(label)\(bar) \(counts)\(finished ? "\n" : "")")
        } else {
            StandardError.write("\(label): \(counts)\n")
        }
    }

    /// Ends an open terminal line (a run whose total was not known, or that stopped short).
    func finish() {
        let open = shown.withLock { shown in
            defer { shown.open = false }
            return shown.open
        }
        if open { StandardError.write("\n") }
    }
}
