import Foundation

/// An .eml file the file backend wrote, read back for a person: its headers decoded (RFC 2047)
/// and its text part decoded from base64, so that `accounts outbox read` shows what the user
/// would see (the file itself is MIME, base64 in both parts, as it goes over SMTP).
public struct MailReading: Sendable {
    public var headers: [(name: String, value: String)]
    public var text: String

    /// Nil when `raw` is no message of this shape (a header block, then a text/plain part).
    public init?(_ raw: Data) {
        let message = String(decoding: raw, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        guard let (headers, body) = Self.split(message) else { return nil }
        self.headers = headers.map { ($0.name, Self.decodeWords($0.value)) }
        let contentType = headers.first { $0.name.lowercased() == "content-type" }?.value ?? "text/plain"
        if contentType.lowercased().hasPrefix("multipart/"), let boundary = Self.parameter("boundary", in: contentType) {
            let parts = body.components(separatedBy: "--" + boundary).dropFirst()
            guard let plain = parts.compactMap(Self.split).first(where: { part in
                (part.0.first { $0.name.lowercased() == "content-type" }?.value.lowercased() ?? "text/plain").hasPrefix("text/plain")
            }) else { return nil }
            guard let decoded = Self.decodeBody(plain.1, plain.0) else { return nil }
            text = decoded
        } else {
            guard let decoded = Self.decodeBody(body, headers) else { return nil }
            text = decoded
        }
    }

    /// From, To, Subject and Date, then the text.
    public var forPeople: String {
        var lines = ["From", "To", "Subject", "Date"].compactMap { name in
            headers.first { $0.name.lowercased() == name.lowercased() }.map { "\(name): \($0.value)" }
        }
        lines.append("")
        lines.append(text)
        return lines.joined(separator: "\n")
    }

    private static func split(_ text: String) -> ([(name: String, value: String)], String)? {
        let trimmed = text.drop { $0 == "\n" }
        guard let end = trimmed.range(of: "\n\n") else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in trimmed[..<end.lowerBound].split(separator: "\n") {
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
        }
        return (headers, String(trimmed[end.upperBound...]))
    }

    private static func parameter(_ name: String, in value: String) -> String? {
        guard let range = value.range(of: name + "=", options: .caseInsensitive) else { return nil }
        return String(value[range.upperBound...].prefix { $0 != ";" }).trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
    }

    private static func decodeBody(_ body: String, _ headers: [(name: String, value: String)]) -> String? {
        let encoding = headers.first { $0.name.lowercased() == "content-transfer-encoding" }?.value.lowercased()
        guard encoding == "base64" else { return body }
        let compact = body.filter { !$0.isWhitespace && $0 != "-" }
        return Data(base64Encoded: compact).map { String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n") }
    }

    /// `=?UTF-8?B?…?=` words (the form MailMessage writes), joined as RFC 2047 says: the
    /// whitespace between two encoded words is dropped, any other is kept.
    static func decodeWords(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        var result = ""
        var previousWasEncoded = false
        for (index, word) in value.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            let decoded = word.lowercased().hasPrefix("=?utf-8?b?") && word.hasSuffix("?=")
                ? Data(base64Encoded: String(word.dropFirst(10).dropLast(2))).map { String(decoding: $0, as: UTF8.self) } : nil
            if index > 0 && !(previousWasEncoded && decoded != nil) { result += " " }
            result += decoded ?? String(word)
            previousWasEncoded = decoded != nil
        }
        return result
    }
}
