import Foundation

/// An application/x-www-form-urlencoded body: the confirm and resend forms' uid, token, action.
struct FormFields {
    private var values: [String: String] = [:]

    /// Nil when a field is not valid percent-encoding or appears twice (no guessing which counts).
    init?(_ body: String) {
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts.count == 2 ? parts[1] : ""),
                  values[name] == nil
            else { return nil }
            values[name] = value
        }
    }

    subscript(name: String) -> String? { values[name] }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
