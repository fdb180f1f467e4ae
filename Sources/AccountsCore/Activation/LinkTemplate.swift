/// ACTIVATION_URL read once: its scheme and host, and where in its path `{uid}` and `{token}`
/// sit (what `serve` answers, what `check` judges).
public struct LinkTemplate: Sendable, Equatable {
    public let template: String
    /// `https`, `http`, … (lower case); nil for a template without one.
    public let scheme: String?
    /// The host, without a port; nil without one.
    public let host: String?
    /// The path before {uid}, between {uid} and {token}, and after {token}.
    public let prefix: String
    public let separator: String
    public let suffix: String

    /// Throws `.configuration` when the URL's path does not hold {uid}, then {token}, with
    /// something between them.
    public init(_ template: String) throws {
        self.template = template
        var rest = Substring(template)
        var scheme: String?, host: String?
        if let end = rest.range(of: "://") {
            scheme = rest[..<end.lowerBound].lowercased()
            let afterScheme = rest[end.upperBound...]
            let authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            let withoutUser = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? authority
            host = withoutUser.hasPrefix("[") ? String(withoutUser.prefix { $0 != "]" }.dropFirst())
                : String(withoutUser.prefix { $0 != ":" })
            rest = afterScheme.firstIndex(of: "/").map { afterScheme[$0...] } ?? "/"
        }
        self.scheme = scheme
        self.host = host?.lowercased()
        var path = rest
        if let cut = path.utf8.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) { path = path[..<cut] }
        guard let uid = path.range(of: "{uid}"), let token = path.range(of: "{token}"), uid.upperBound <= token.lowerBound,
              path.hasPrefix("/"), !path[uid.upperBound..<token.lowerBound].isEmpty
        else {
            throw AccountsError(.configuration, "serve answers links whose path holds {uid}, then {token}, with something between them (such as /users/activate/{uid}/{token}/); ACTIVATION_URL '\(printable(template))' does not")
        }
        prefix = String(path[..<uid.lowerBound])
        separator = String(path[uid.upperBound..<token.lowerBound])
        suffix = String(path[token.upperBound...])
    }
}
