/// ACTIVATION_URL read once, and the one reader of it: where `{uid}` and `{token}` sit, in the
/// path (`/users/activate/{uid}/{token}/`, Django's tutorial) or as query parameters
/// (`/verify?uid={uid}&token={token}`). From it come the URL `register` mails, the link
/// `activate` and `inspect` read back from what is pasted, the path `serve` answers and its forms
/// post to, and what `check` judges. A template that none of them could answer is refused when
/// the settings are read (`Settings.validate`), with the reason.
public struct LinkTemplate: Sendable, Equatable {
    public enum Placement: Sendable, Equatable {
        /// The path before {uid}, between {uid} and {token}, and after {token}.
        case path(prefix: String, separator: String, suffix: String)
        /// The names of the query parameters whose values are {uid} and {token}.
        case query(uid: String, token: String)
    }

    public let template: String
    /// `https`, `http`, … (lower case); nil for a template without one.
    public let scheme: String?
    /// The host, without a port; nil without one.
    public let host: String?
    /// Where `serve` answers, and where its forms post (so a token is never in a POST's URL):
    /// the path before {uid}, or the whole path when the link's parts are in its query.
    public let formPath: String
    public let placement: Placement

    /// Throws `.configuration`, saying why, when no link made from `template` could be read back.
    public init(_ template: String) throws {
        self.template = template
        func refuse(_ why: String) -> AccountsError {
            AccountsError(.configuration, "ACTIVATION_URL '\(printable(template))' \(why); for example https://example.com/users/activate/{uid}/{token}/ or https://example.com/activate?uid={uid}&token={token}")
        }
        guard template.contains("{uid}"), template.contains("{token}") else {
            throw AccountsError(.configuration, "ACTIVATION_URL must contain {uid} and {token}, e.g. https://example.com/users/activate/{uid}/{token}/")
        }
        for placeholder in ["{uid}", "{token}"] where template.components(separatedBy: placeholder).count > 2 {
            throw refuse("holds \(placeholder) twice")
        }
        let parts = URLParts(template)
        scheme = parts.scheme?.lowercased()
        host = parts.authority.map(Self.host(inAuthority:))
        if parts.authority?.contains("{") == true || parts.fragment?.contains("{") == true || parts.scheme?.contains("{") == true {
            throw refuse("holds {uid} or {token} outside its path and query, where no request brings them back")
        }
        guard parts.path.hasPrefix("/") else { throw refuse("has no path starting with /") }
        let path = parts.path
        let pathHolds = (uid: path.contains("{uid}"), token: path.contains("{token}"))
        switch pathHolds {
        case (true, true):
            let uid = path.range(of: "{uid}")!, token = path.range(of: "{token}")!
            guard uid.upperBound <= token.lowerBound else { throw refuse("puts {token} before {uid}") }
            let separator = String(path[uid.upperBound..<token.lowerBound])
            guard !separator.isEmpty else { throw refuse("puts {uid} and {token} together with nothing between them") }
            formPath = String(path[..<uid.lowerBound])
            placement = .path(prefix: formPath, separator: separator, suffix: String(path[token.upperBound...]))
        case (false, false):
            var names: (uid: String?, token: String?) = (nil, nil)
            for (name, value) in QueryParameters.pairs(parts.query ?? "") {
                if value == "{uid}" { names.uid = String(name) } else if value == "{token}" { names.token = String(name) }
            }
            guard let uid = names.uid, let token = names.token, !uid.isEmpty, !token.isEmpty, uid != token else {
                throw refuse("must give {uid} and {token} each a whole path segment, or each the whole value of its own query parameter (uid={uid}&token={token})")
            }
            formPath = path
            placement = .query(uid: uid, token: token)
        default:
            throw refuse("puts one of {uid} and {token} in the path and the other in the query; put both in the same place")
        }
    }

    /// The template with `link` filled in.
    public func url(for link: ActivationLink) -> String {
        template.replacingOccurrences(of: "{uid}", with: link.uid).replacingOccurrences(of: "{token}", with: link.token)
    }

    /// The link in a request's path and query, percent-decoded; nil when they are not a link of
    /// this template. A trailing slash missing (or, before a query, added) is forgiven. On the
    /// UTF-8 bytes: `serve` runs this for every request.
    public func link(path: Substring, query: Substring?) -> ActivationLink? {
        switch placement {
        case .path(let prefix, let separator, let suffix):
            guard let parts = Self.split(path, prefix: prefix, separator: separator, suffix: suffix) else { return nil }
            return Self.link(uid: parts.uid, token: parts.token)
        case .query(let uidName, let tokenName):
            // Bytes, not Characters: Swift's == would take a combining mark's neighbours as one.
            func same(_ a: some StringProtocol, _ b: some StringProtocol) -> Bool { a.utf8.elementsEqual(b.utf8) }
            guard same(path, formPath) || same(path + "/", formPath) || same(path, formPath + "/"), let query else { return nil }
            var uid: Substring?, token: Substring?
            for (name, value) in QueryParameters.pairs(query) {
                // Twice the same name is not a link: which one a proxy or a site reads differs.
                if same(name, uidName) { guard uid == nil else { return nil }; uid = value }
                if same(name, tokenName) { guard token == nil else { return nil }; token = value }
            }
            guard let uid, let token else { return nil }
            return Self.link(uid: uid, token: token)
        }
    }

    /// A link as an operator pastes it: the URL from the mail (any scheme and host), a bare path,
    /// or "uid/token". Read as this template places the parts; else, so that links made under an
    /// earlier ACTIVATION_URL still read, as the last two path segments (`ActivationLink(pasted:)`).
    public func link(pasted text: String) -> ActivationLink? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard ActivationLink.isPastable(trimmed) else { return nil }
        let parts = URLParts(trimmed)
        if let found = link(path: Substring(parts.path), query: parts.query.map { Substring($0) }) { return found }
        return ActivationLink(pasted: trimmed)
    }

    /// What a link of this template looks like, for messages: `/<uid>/<token>/`, `?uid=<uid>&token=<token>`.
    public var shape: String {
        switch placement {
        case .path(_, let separator, let suffix): return "/<uid>\(separator)<token>\(suffix)"
        case .query(let uid, let token): return "?\(uid)=<uid>&\(token)=<token>"
        }
    }

    // MARK: - Reading

    private static func link(uid: Substring, token: Substring) -> ActivationLink? {
        // Foundation's decoding is slow, and real links have nothing to decode.
        func decoded(_ text: Substring) -> String? { text.utf8.contains(UInt8(ascii: "%")) ? text.removingPercentEncoding : String(text) }
        guard let uid = decoded(uid), let token = decoded(token), !uid.isEmpty, !token.isEmpty else { return nil }
        return ActivationLink(uid: uid, token: token)
    }

    /// The uid and token of a path of the path form, not yet decoded.
    static func split(_ path: Substring, prefix: String, separator: String, suffix: String) -> (uid: Substring, token: Substring)? {
        let bytes = path.utf8
        guard bytes.starts(with: prefix.utf8) else { return nil }
        let rest = bytes.index(bytes.startIndex, offsetBy: prefix.utf8.count)
        guard let middle = firstRange(of: separator.utf8, in: bytes[rest...]) else { return nil }
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

    private static func host(inAuthority authority: String) -> String {
        let withoutUser = authority.split(separator: "@", omittingEmptySubsequences: false).last.map(String.init) ?? authority
        let host = withoutUser.hasPrefix("[") ? String(withoutUser.prefix { $0 != "]" }.dropFirst()) : String(withoutUser.prefix { $0 != ":" })
        return host.lowercased()
    }
}

/// A URL cut at its delimiters, on bytes: scheme, authority, path, query, fragment. A text
/// without "://" is all path (and query and fragment).
struct URLParts {
    var scheme: String?
    var authority: String?
    var path: String
    var query: String?
    var fragment: String?

    init(_ text: String) {
        var rest = Substring(text)
        if let end = Self.firstSchemeEnd(rest) {
            scheme = String(rest[..<end])
            let afterScheme = rest[rest.utf8.index(end, offsetBy: 3)...]
            let authorityEnd = afterScheme.utf8.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? afterScheme.endIndex
            authority = String(afterScheme[..<authorityEnd])
            rest = afterScheme[authorityEnd...]
        }
        if let hash = rest.utf8.firstIndex(of: UInt8(ascii: "#")) {
            fragment = String(rest[rest.utf8.index(after: hash)...])
            rest = rest[..<hash]
        }
        if let mark = rest.utf8.firstIndex(of: UInt8(ascii: "?")) {
            query = String(rest[rest.utf8.index(after: mark)...])
            rest = rest[..<mark]
        }
        path = rest.isEmpty && scheme != nil ? "/" : String(rest)
    }

    /// Where the first "://" starts, on bytes ("://" before a combining mark is no Character).
    private static func firstSchemeEnd(_ text: Substring) -> String.Index? {
        var index = text.utf8.startIndex
        while let colon = text.utf8[index...].firstIndex(of: UInt8(ascii: ":")) {
            if text.utf8[colon...].starts(with: "://".utf8) { return colon }
            index = text.utf8.index(after: colon)
        }
        return nil
    }
}

/// `a=1&b=2` as name and (still percent-encoded) value pairs; `&amp;`, as a link copied out of
/// HTML may carry, separates too. Split on bytes, not Characters: "=" or "&" followed by a
/// combining mark is one Character, and would hide the delimiter (found by Tests/fuzz).
enum QueryParameters {
    static func pairs(_ query: some StringProtocol) -> [(name: Substring, value: Substring)] {
        let query = Substring(query)
        return query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true).map { bytes in
            var pair = query[bytes.startIndex..<bytes.endIndex]
            if pair.utf8.starts(with: "amp;".utf8) { pair = pair[pair.utf8.index(pair.startIndex, offsetBy: 4)...] }
            guard let equals = pair.utf8.firstIndex(of: UInt8(ascii: "=")) else { return (pair, pair[pair.endIndex...]) }
            return (pair[..<equals], pair[pair.utf8.index(after: equals)...])
        }
    }
}
