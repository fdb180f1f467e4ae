import AccountsCore
import Foundation

/// Where the activation pages live, derived from ACTIVATION_URL so that `serve` answers exactly
/// the links `register` mails: `/users/activate/{uid}/{token}/` by default.
struct ActivationRoute: Sendable {
    /// The path before {uid}; the confirm form posts here, so the token is never in a POST's URL.
    let prefix: String
    /// Between {uid} and {token}.
    let separator: String
    /// After {token}.
    let suffix: String

    /// Throws `.configuration` when the URL's path does not carry {uid} then {token}, with
    /// something between them (`LinkTemplate`).
    init(activationURL: String) throws {
        let template = try LinkTemplate(activationURL)
        prefix = template.prefix
        separator = template.separator
        suffix = template.suffix
    }

    /// The uid and token in a request's path (without its query), percent-decoded; nil when the
    /// path is not an activation link. A missing trailing slash is forgiven.
    func link(inPath path: String) -> ActivationLink? {
        guard let parts = split(path) else { return nil }
        // Foundation's decoding is slow, and real links have nothing to decode.
        func decoded(_ text: Substring) -> String? { text.utf8.contains(UInt8(ascii: "%")) ? text.removingPercentEncoding : String(text) }
        guard let uid = decoded(parts.uid), let token = decoded(parts.token), !uid.isEmpty, !token.isEmpty else { return nil }
        return ActivationLink(uid: uid, token: token)
    }

    /// The path as the access log shows it, never with a working token in it: an activation
    /// link's token replaced (and its uid, unless it is one); for any other path that reaches the
    /// route's prefix (`//users/activate/…`, `/users/activate/Mg%2F<token>/`, a trailing `)`),
    /// everything after the prefix; and anywhere else, a segment shaped like a token.
    func redacted(_ path: String) -> String {
        if let parts = split(path) {
            let uid = UIDCodec.decode(String(parts.uid)) != nil ? String(parts.uid) : "[uid]"
            return prefix + uid + separator + "[token]" + suffix
        }
        let stem = prefix.drop { $0 == "/" }
        if !stem.isEmpty {
            if let found = path.range(of: stem, options: .caseInsensitive) {
                // The prefix alone is the forms' path: nothing to hide.
                return found.upperBound == path.endIndex ? path : path[..<found.upperBound] + "[redacted]"
            }
            // Spelled with percent escapes: nothing of it is worth logging.
            if path.utf8.contains(UInt8(ascii: "%")), path.removingPercentEncoding?.range(of: stem, options: .caseInsensitive) != nil {
                return "[redacted]"
            }
        }
        return path.split(separator: "/", omittingEmptySubsequences: false)
            .map { Self.looksLikeToken($0) ? "[token]" : String($0) }.joined(separator: "/")
    }

    /// `…-<20 or more hex digits>`, percent-encoded or not: what is left of a token once cut.
    private static func looksLikeToken(_ segment: Substring) -> Bool {
        let text = segment.utf8.contains(UInt8(ascii: "%")) ? (segment.removingPercentEncoding ?? String(segment)) : String(segment)
        guard let dash = text.lastIndex(of: "-") else { return false }
        let tail = text[text.index(after: dash)...].prefix { $0.isHexDigit }
        return tail.count >= 20
    }

    /// On the UTF-8 bytes: this runs for every request.
    private func split(_ path: String) -> (uid: Substring, token: Substring)? {
        let bytes = path.utf8
        guard bytes.starts(with: prefix.utf8) else { return nil }
        let rest = bytes.index(bytes.startIndex, offsetBy: prefix.utf8.count)
        guard let middle = Self.firstRange(of: separator.utf8, in: bytes[rest...]) else { return nil }
        var end = bytes.endIndex
        if !suffix.isEmpty {
            let tail = bytes[middle.upperBound...]
            if tail.count >= suffix.utf8.count, tail.suffix(suffix.utf8.count).elementsEqual(suffix.utf8) {
                end = bytes.index(end, offsetBy: -suffix.utf8.count)
            } else if suffix.hasSuffix("/"), tail.count >= suffix.utf8.count - 1, tail.suffix(suffix.utf8.count - 1).elementsEqual(suffix.utf8.dropLast()) {
                end = bytes.index(end, offsetBy: -(suffix.utf8.count - 1))
            } else {
                return nil
            }
        }
        guard middle.upperBound <= end else { return nil }
        let uid = path[rest..<middle.lowerBound], token = path[middle.upperBound..<end]
        guard !uid.utf8.contains(UInt8(ascii: "/")), !token.utf8.contains(UInt8(ascii: "/")) else { return nil }
        return (uid, token)
    }

    private static func firstRange(of needle: String.UTF8View, in haystack: Substring.UTF8View) -> Range<String.Index>? {
        guard let first = needle.first else { return nil }
        var start = haystack.startIndex
        while let candidate = haystack[start...].firstIndex(of: first) {
            if haystack[candidate...].starts(with: needle) {
                return candidate..<haystack.index(candidate, offsetBy: needle.count)
            }
            start = haystack.index(after: candidate)
        }
        return nil
    }
}
