/// One SMTP reply: a three-digit code and its text lines (RFC 5321 section 4.2).
public struct SMTPReply: Equatable, Sendable {
    public let code: Int
    public let lines: [String]

    public var text: String { lines.joined(separator: " / ") }
    public var isPositive: Bool { (200..<400).contains(code) }
    public var isTransient: Bool { (400..<500).contains(code) }

    /// The RFC 3463 enhanced status code that starts the text ("5.7.1"), when there is one.
    public var enhancedCode: String? {
        guard let first = lines.first, let code = first.split(separator: " ", maxSplits: 1).first else { return nil }
        let parts = code.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, ["2", "4", "5"].contains(parts[0]),
              parts.allSatisfy({ (1...3).contains($0.count) && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else { return nil }
        return String(code)
    }
}
