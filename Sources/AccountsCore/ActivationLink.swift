import Foundation

/// The uid and token of an activation link, and the URL that carries them.
public struct ActivationLink: Equatable, Sendable {
    public var uid: String
    public var token: String

    public init(uid: String, token: String) {
        self.uid = uid
        self.token = token
    }

    /// ACTIVATION_URL with {uid} and {token} filled in.
    public func url(template: String) -> String {
        template.replacingOccurrences(of: "{uid}", with: uid).replacingOccurrences(of: "{token}", with: token)
    }

    /// Reads a pasted activation URL (any scheme and host), a bare path, or "uid/token": the last
    /// two path segments, with or without a trailing slash. A query string or fragment that a
    /// mail client appended is ignored and percent-encoding is decoded, as Django's URL routing
    /// does. Returns nil for anything else; never traps.
    public init?(pasted text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.utf8.count <= 8192,
              !trimmed.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control })
        else { return nil }
        var path = Substring(trimmed)
        if let schemeEnd = path.range(of: "://") {
            let afterScheme = path[schemeEnd.upperBound...]
            guard let slash = afterScheme.firstIndex(of: "/") else { return nil }
            path = afterScheme[slash...]
        }
        if let cut = path.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            path = path[..<cut]
        }
        var segments = path.split(separator: "/", omittingEmptySubsequences: false)
        if segments.last == "" { segments.removeLast() }
        guard segments.count >= 2,
              let uid = String(segments[segments.count - 2]).removingPercentEncoding,
              let token = String(segments[segments.count - 1]).removingPercentEncoding,
              !uid.isEmpty, !token.isEmpty
        else { return nil }
        self.init(uid: uid, token: token)
    }
}
