/// `log --follow`: hands over each audit entry once, as it is committed, by polling the store
/// (both stores; no LISTEN, which PgBouncer's transaction mode would not carry).
///
/// Ids are not always seen in order: on PostgreSQL a transaction takes its id at insert and its
/// row is seen at commit, so id 11 can appear before id 10. So the follower keeps a watermark
/// (every id up to it has been handed over, or will never come) and the ids above it it has
/// handed over, and asks again for everything above the watermark. An id missing for
/// `patience` belonged to a transaction that rolled back (its identity value is gone for good).
public struct AuditFollower {
    let store: AccountStore
    let query: AuditQuery
    /// Longer than any transaction that writes an entry waits (lock_timeout and busy timeout: 15 s).
    public static let patience: Int64 = 60

    private var watermark: Int64
    /// Ids above the watermark already handed over.
    private var handedOver: Set<Int64> = []
    /// Since when the ids just above the watermark have been missing.
    private var gapSince: UTCDateTime?

    /// Follows entries matching `query` (its user, action; not its limit) after `id`.
    public init(store: AccountStore, query: AuditQuery, after id: Int64) {
        self.store = store
        var query = query
        query.limit = nil
        self.query = query
        watermark = id
    }

    /// The entries committed since the last call (matching the query), in id order.
    public mutating func poll(at instant: UTCDateTime = .now()) throws -> [AuditEntry] {
        let committed = try store.auditIDs(after: watermark).filter { !handedOver.contains($0) }
        var entries: [AuditEntry] = []
        if !committed.isEmpty {
            let wanted = Set(committed)
            var query = query
            query.afterID = watermark
            try store.forEachAuditEntry(query) { entry in
                if wanted.contains(entry.id) { entries.append(entry) }
            }
            // Handed over whether or not they matched: they are done with either way.
            handedOver.formUnion(committed)
        }
        advance(at: instant)
        return entries
    }

    /// Moves the watermark over the ids handed over, and over a gap below them once it has been
    /// missing for `patience` (a whole gap at once: ids can jump, e.g. after an import).
    private mutating func advance(at instant: UTCDateTime) {
        while true {
            if handedOver.remove(watermark + 1) != nil {
                watermark += 1
                gapSince = nil
                continue
            }
            guard let next = handedOver.min() else {
                gapSince = nil
                return
            }
            guard let since = gapSince else {
                gapSince = instant
                return
            }
            guard instant.epochSeconds - since.epochSeconds >= Self.patience else { return }
            watermark = next - 1
            gapSince = nil
        }
    }
}
