#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A moment on the monotonic clock by which an operation must finish.
struct Deadline: Sendable {
    let nanoseconds: UInt64

    static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    static func after(seconds: Double) -> Deadline {
        Deadline(nanoseconds: now() + UInt64(max(0, seconds) * 1_000_000_000))
    }

    /// Milliseconds left, for poll(2); 0 once passed.
    var remainingMilliseconds: Int32 {
        let current = Self.now()
        guard nanoseconds > current else { return 0 }
        return Int32(min(UInt64(Int32.max), (nanoseconds - current + 999_999) / 1_000_000))
    }

    var hasPassed: Bool { Self.now() >= nanoseconds }
}
