/// Checks for separators and line breaks, made on UTF-8 bytes, never on `Character`s: "\r\n" is
/// one Character that equals neither "\r" nor "\n", and a combining mark after a comma makes a
/// Character that is no comma; a reader downstream (a spreadsheet, an SMTP server) sees bytes.
extension StringProtocol {
    /// True when the text holds any of these ASCII characters.
    public func containsAnyASCII(_ characters: StaticString) -> Bool {
        let wanted = UnsafeBufferPointer(start: characters.utf8Start, count: characters.utf8CodeUnitCount)
        return utf8.contains { wanted.contains($0) }
    }

    /// True when the text holds a CR or an LF.
    public var containsLineBreak: Bool { containsAnyASCII("\r\n") }
}

extension String {
    /// The text a C function wrote into `buffer`, up to its terminating NUL.
    public init(nulTerminated buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
