// Micro-benchmarks of the core, in one process: prints one JSON object for bench/run.py.
// The same cases, with the same inputs, are in bench/django_micro.py for Django.
import AccountsCore
import Foundation

let seconds = CommandLine.arguments.count > 1 ? Double(CommandLine.arguments[1]) ?? 2 : 2

/// Operations per second of `body` (which does `batch` operations), best of three timed rounds.
func rate(batch: Int, _ body: () -> Void) -> Double {
    body() // warm up
    var best = 0.0
    for _ in 0..<3 {
        var operations = 0
        let start = DispatchTime.now().uptimeNanoseconds
        var elapsed = 0.0
        repeat {
            body()
            operations += batch
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < seconds / 3
        best = max(best, Double(operations) / elapsed)
    }
    return best
}

/// Keeps results alive so the optimiser cannot drop the work.
nonisolated(unsafe) var sink = 0

// The account of the token cases: as register makes it (unusable password, never logged in).
let user = User(id: 4242, userID: "hong", email: "hong.gildong@example.com",
                password: "!" + String(repeating: "k", count: 40), dateJoined: UTCDateTime(epochSeconds: 1_790_000_000))
let now = UTCDateTime(epochSeconds: 1_790_000_100)
let tokens = TokenGenerator(secretKey: "bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz", fallbacks: [],
                            timeout: 259_200, timeZone: TimeZone(identifier: "UTC")!)
let token = tokens.makeToken(for: user, at: now)
let timestamp = tokens.timestamp(at: now)
// What the HMAC covers: f"{pk}{password}{login_ts}{ts}{email}".
let messageBytes = "\(user.id)\(user.password)\(timestamp)\(user.email)".utf8.count

let makeToken = rate(batch: 1000) {
    for _ in 0..<1000 { sink &+= tokens.makeToken(for: user, at: now).utf8.count }
}
let checkToken = rate(batch: 1000) {
    for _ in 0..<1000 {
        if case .valid = tokens.check(token, for: user, at: now) { sink &+= 1 }
    }
}
let uidRoundTrip = rate(batch: 1000) {
    for id in Int64(1_000_000)..<1_001_000 { sink &+= Int(UIDCodec.decode(UIDCodec.encode(id)) ?? 0) }
}
let hasher = PasswordHasher()
var hashSeconds: [Double] = []
for _ in 0..<3 {
    let start = DispatchTime.now().uptimeNanoseconds
    sink &+= hasher.hash("correct horse battery staple", salt: "benchsaltbenchsalt12").utf8.count
    hashSeconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}

print("""
    {"make_token_per_s": \(Int(makeToken)), "check_token_per_s": \(Int(checkToken)), \
    "uid_roundtrip_per_s": \(Int(uidRoundTrip)), "pbkdf2_seconds": \(hashSeconds.min()!), \
    "token_message_bytes": \(messageBytes), "iterations": \(hasher.iterations), "sink": \(sink & 1)}
    """)
