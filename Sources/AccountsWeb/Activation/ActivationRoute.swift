import AccountsCore
import Foundation

/// Where the activation pages live, derived from ACTIVATION_URL so that `serve` answers exactly
/// the links `register` mails: `/users/activate/{uid}/{token}/` by default.
struct ActivationRoute: Sendable {
    let template: LinkTemplate

    /// Where the forms post, so the token is never in a POST's URL (`LinkTemplate.formPath`).
    var prefix: String { template.formPath }

    /// Throws `.configuration` for an ACTIVATION_URL no request could answer (`LinkTemplate`).
    init(activationURL: String) throws {
        template = try LinkTemplate(activationURL)
    }

    /// The uid and token in a request's path and query, percent-decoded; nil when the request is
    /// not an activation link.
    func link(path: String, query: String?) -> ActivationLink? {
        template.link(path: Substring(path), query: query.map { Substring($0) })
    }

    /// The path as the access log shows it, never with a working token in it: this route's
    /// redaction where it has one, else `LogRedaction`'s (a segment shaped like a token).
    func redacted(_ path: String) -> String {
        redactedIfNear(path) ?? LogRedaction.tokenShapesHidden(path)
    }

    /// An activation link's token replaced (and its uid, unless it is one); for any other path
    /// that reaches the route's prefix (`//users/activate/…`, `/users/activate/Mg%2F<token>/`, a
    /// trailing `)`), everything after the prefix; nil for a path nowhere near the route.
    func redactedIfNear(_ path: String) -> String? {
        // The query form's path holds no token, and the log leaves every query out.
        if case .path(let prefix, let separator, let suffix) = template.placement, let link = template.link(path: Substring(path), query: nil) {
            let uid = UIDCodec.decode(link.uid) != nil ? link.uid : "[uid]"
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
        return nil
    }
}
