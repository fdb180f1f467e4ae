import Foundation

/// The uid and token of an activation link, and the URL that carries them.
public struct ActivationLink: Equatable, Sendable {
    public var uid: String
    public var token: String

    /// Longer pasted text is not a link (real ones are under 200 bytes).
    public static let maximumLength = 8192

    public init(uid: String, token: String) {
        self.uid = uid
        self.token = token
    }

    /// Reads a pasted activation URL (any scheme and host), a bare path, or "uid/token": the last
    /// two path segments, with or without a trailing slash. A query string or fragment that a
    /// mail client appended is ignored and percent-encoding is decoded, as Django's URL routing
    /// does. Returns nil for anything else; never traps.
    public init?(pasted text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard Self.isPastable(trimmed) else { return nil }
        // Split on bytes, not Characters: a combining mark after "/" would otherwise join it into
        // one grapheme and hide the separator (found by Tests/fuzz).
        let bytes = Array(trimmed.utf8)
        var path = bytes[...]
        let slash = UInt8(ascii: "/")
        if let schemeEnd = Self.indexAfterFirst(Array("://".utf8), in: path) {
            let afterScheme = path[schemeEnd...]
            guard let pathStart = afterScheme.firstIndex(of: slash) else { return nil }
            path = afterScheme[pathStart...]
        }
        if let cut = path.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) {
            path = path[..<cut]
        }
        var segments = path.split(separator: slash, omittingEmptySubsequences: false)
        if segments.last?.isEmpty == true { segments.removeLast() }
        guard segments.count >= 2,
              let uid = String(decoding: segments[segments.count - 2], as: UTF8.self).removingPercentEncoding,
              let token = String(decoding: segments[segments.count - 1], as: UTF8.self).removingPercentEncoding,
              !uid.isEmpty, !token.isEmpty
        else { return nil }
        self.init(uid: uid, token: token)
    }

    /// Not empty, not longer than any link, and no whitespace or control character inside
    /// (scalars, not Characters: "\r\n" is one Character).
    static func isPastable(_ trimmed: String) -> Bool {
        !trimmed.isEmpty && trimmed.utf8.count <= maximumLength
            && !trimmed.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control })
    }

    /// The index just past the first occurrence of `needle` in `haystack`.
    private static func indexAfterFirst(_ needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in haystack.startIndex...(haystack.endIndex - needle.count)
        where haystack[start..<start + needle.count].elementsEqual(needle) {
            return start + needle.count
        }
        return nil
    }
}
