import AccountsCore
import Foundation
import Synchronization

/// Progress of a long run on stderr: on a terminal, one line redrawn in place (a bar, the count,
/// the rate, the time left); otherwise a plain line every few seconds, which logs and cron mail
/// can keep. Safe to call from several threads. (Hand-written: console-kit's progress bar shows
/// neither a rate nor a time left, and would bring swift-nio along for these forty lines.)
final class ProgressReporter: Sendable {
    private let label: String
    private let total: Int
    private let quiet: Bool
    private let isTerminal = isatty(2) == 1
    private let started = Date()
    private let lastShown = Mutex<Date?>(nil)

    init(label: String, total: Int, quiet: Bool) {
        self.label = label
        self.total = total
        self.quiet = quiet
    }

    /// `sent` and `failed` so far (and `skipped`: sent by another process, or no longer due).
    func update(sent: Int, failed: Int, skipped: Int = 0) {
        guard !quiet else { return }
        let done = sent + failed + skipped
        let now = Date()
        let interval = isTerminal ? 0.1 : 5.0
        let due = lastShown.withLock { last -> Bool in
            guard done == total || last.map({ now.timeIntervalSince($0) >= interval }) ?? true else { return false }
            last = now
            return true
        }
        guard due else { return }
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(done) / elapsed
        let left = rate > 0 ? Int((Double(total - done) / rate).rounded(.up)) : 0
        let counts = "\(done)/\(total)  sent \(sent), failed \(failed)  \(String(format: "%.1f", rate))/s  ETA \(left / 60):\(String(format: "%02d", left % 60))"
        if isTerminal {
            let width = 30
            let filled = total == 0 ? width : width * done / total
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            StandardError.write("\r\u{1B}[K\(label) [\(bar)] \(counts)\(done == total ? "\n" : "")")
        } else {
            StandardError.write("\(label): \(counts)\n")
        }
    }
}
