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
    /// something between them.
    init(activationURL: String) throws {
        var path = Substring(activationURL)
        if let scheme = path.range(of: "://") {
            let afterScheme = path[scheme.upperBound...]
            path = afterScheme.firstIndex(of: "/").map { afterScheme[$0...] } ?? "/"
        }
        if let cut = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<cut] }
        guard let uid = path.range(of: "{uid}"), let token = path.range(of: "{token}"), uid.upperBound <= token.lowerBound,
              path.hasPrefix("/"), !path[uid.upperBound..<token.lowerBound].isEmpty
        else {
            throw AccountsError(.configuration, "serve answers links whose path holds {uid}, then {token}, with something between them (such as /users/activate/{uid}/{token}/); ACTIVATION_URL '\(printable(activationURL))' does not")
        }
        prefix = String(path[..<uid.lowerBound])
        separator = String(path[uid.upperBound..<token.lowerBound])
        suffix = String(path[token.upperBound...])
    }

    /// The uid and token in a request's path (without its query), percent-decoded; nil when the
    /// path is not an activation link. A missing trailing slash is forgiven.
    func link(inPath path: String) -> ActivationLink? {
        guard let parts = split(path) else { return nil }
        guard let uid = parts.uid.removingPercentEncoding, let token = parts.token.removingPercentEncoding,
              !uid.isEmpty, !token.isEmpty
        else { return nil }
        return ActivationLink(uid: uid, token: token)
    }

    /// The path as the access log shows it: an activation link's token replaced, so that the
    /// log never holds a working link.
    func redacted(_ path: String) -> String {
        guard let parts = split(path) else { return path }
        return prefix + parts.uid + separator + "[token]" + suffix
    }

    private func split(_ path: String) -> (uid: Substring, token: Substring)? {
        guard path.hasPrefix(prefix) else { return nil }
        let rest = path.dropFirst(prefix.count)
        guard let middle = rest.range(of: separator) else { return nil }
        var token = rest[middle.upperBound...]
        if !suffix.isEmpty {
            if token.hasSuffix(suffix) {
                token = token.dropLast(suffix.count)
            } else if suffix.hasSuffix("/"), token.hasSuffix(suffix.dropLast()) {
                token = token.dropLast(suffix.count - 1)
            } else {
                return nil
            }
        }
        let uid = rest[..<middle.lowerBound]
        guard !uid.contains("/"), !token.contains("/") else { return nil }
        return (uid, token)
    }
}
