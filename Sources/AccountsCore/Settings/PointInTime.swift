/// Parses `--since` values: a span back from now ("24h", "7d"), a UTC date ("2026-11-20"),
/// or a UTC date and time ("2026-11-20 09:30", "2026-11-20T09:30:00Z").
public enum PointInTime {
    public static func parse(_ text: String, now: UTCDateTime) -> UTCDateTime? {
        if let seconds = DurationParser.seconds(text) {
            // Spans reaching back before 1970 mean "everything"; clamp rather than overflow.
            return now.adding(seconds: -min(seconds, now.epochSeconds))
        }
        var text = text
        if text.hasSuffix("Z") { text.removeLast() }
        switch text.utf8.count {
        case 10: return UTCDateTime(storageText: text + " 00:00:00")
        case 16: return UTCDateTime(storageText: text + ":00")
        default: return UTCDateTime(storageText: text)
        }
    }
}
