import NIOCore
import Synchronization

/// Every open connection of one listener, with the cap on how many there may be. A slow client
/// is cheap to be: one byte every few seconds holds a connection and a file descriptor. So past
/// the cap a new connection takes the place of the one that has waited longest for its request
/// to arrive whole (or, failing that, of the longest idle one); one whose request is being
/// answered is never closed, and when all are, the newcomer is.
final class ConnectionTable: Sendable {
    enum Phase: Sendable {
        /// Connected, no byte of a request yet (keep-alive between requests).
        case idle
        /// A request is arriving (`RequestDeadline` bounds how long).
        case reading
        /// The whole request is in; the response is being made.
        case answering
    }

    private struct Entry {
        let channel: any Channel
        var phase: Phase
        var since: ContinuousClock.Instant
    }

    let maximum: Int
    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    init(maximum: Int) {
        self.maximum = maximum
    }

    var count: Int { entries.withLock { $0.count } }

    /// Registers a new connection; false when it must be closed at once (the table is full of
    /// connections being answered).
    func open(_ channel: any Channel) -> Bool {
        let (admitted, victim): (Bool, (any Channel)?) = entries.withLock { entries in
            var victim: (any Channel)?
            if entries.count >= maximum {
                let waiting = entries.filter { $0.value.phase == .reading }.min { $0.value.since < $1.value.since }
                    ?? entries.filter { $0.value.phase == .idle }.min { $0.value.since < $1.value.since }
                guard let waiting else { return (false, nil) }
                entries[waiting.key] = nil
                victim = waiting.value.channel
            }
            entries[ObjectIdentifier(channel)] = Entry(channel: channel, phase: .idle, since: .now)
            return (true, victim)
        }
        victim?.close(promise: nil)
        return admitted
    }

    func set(_ channel: any Channel, _ phase: Phase) {
        entries.withLock { entries in
            guard entries[ObjectIdentifier(channel)]?.phase != phase else { return }
            entries[ObjectIdentifier(channel)]?.phase = phase
            entries[ObjectIdentifier(channel)]?.since = .now
        }
    }

    func closed(_ channel: any Channel) {
        _ = entries.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }
}
