import AccountsCLI
import Foundation
import Synchronization

/// How a command that runs until stopped (`log --follow`) learns that it should stop: SIGINT or
/// SIGTERM (the handler only sets a flag; the loop finishes its round and returns, exit 0), or
/// the reader of its standard output going away (a closed pipe shows as POLLERR on our end, even
/// when there is nothing to write).
enum FollowSignals {
    private static let stop = Atomic<Bool>(false)

    static var stopRequested: Bool { stop.load(ordering: .relaxed) }

    static func install() {
        for number in [SIGINT, SIGTERM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { _ in FollowSignals.stop.store(true, ordering: .relaxed) }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0 // no SA_RESTART: the sleep between rounds ends at once
            sigaction(number, &action, nil)
        }
    }

    /// Sleeps, or less when a signal arrives.
    static func pause(seconds: Double) {
        usleep(useconds_t(seconds * 1_000_000))
    }

    static func readerIsGone() -> Bool {
        var descriptor = pollfd(fd: 1, events: 0, revents: 0)
        return poll(&descriptor, 1, 0) == 1 && descriptor.revents & Int16(POLLERR | POLLHUP) != 0
    }
}
