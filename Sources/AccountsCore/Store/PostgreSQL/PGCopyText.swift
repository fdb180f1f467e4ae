/// Rows in the text format of COPY: fields separated by tabs, one row a line, `\\N` for NULL,
/// backslash, tab, newline and carriage return escaped. Datetimes with an explicit +00, so the
/// session's TimeZone does not matter.
struct PGCopyText {
    private(set) var bytes: [UInt8] = []
    private var first = true

    mutating func text(_ value: String?) {
        separate()
        guard var text = value else { return null() }
        text.withUTF8 { (utf8: UnsafeBufferPointer<UInt8>) in
            if !utf8.contains(where: { (byte: UInt8) in byte == 0x5C || byte == 0x09 || byte == 0x0A || byte == 0x0D }) {
                bytes.append(contentsOf: utf8)
                return
            }
            for byte in utf8 {
                switch byte {
                case 0x5C: bytes += [0x5C, 0x5C]
                case 0x09: bytes += [0x5C, UInt8(ascii: "t")]
                case 0x0A: bytes += [0x5C, UInt8(ascii: "n")]
                case 0x0D: bytes += [0x5C, UInt8(ascii: "r")]
                default: bytes.append(byte)
                }
            }
        }
    }

    mutating func integer(_ value: Int64?) {
        separate()
        guard let value else { return null() }
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        Digits.append(value.magnitude, radix: 10, to: &bytes)
    }

    mutating func bool(_ value: Bool) {
        separate()
        bytes.append(value ? UInt8(ascii: "t") : UInt8(ascii: "f"))
    }

    mutating func date(_ value: UTCDateTime?) {
        separate()
        guard let value else { return null() }
        value.appendStorageText(to: &bytes)
        bytes.append(contentsOf: "+00".utf8)
    }

    /// Ends the row.
    mutating func endRow() {
        bytes.append(0x0A)
        first = true
    }

    mutating func clear() {
        bytes.removeAll(keepingCapacity: true)
        first = true
    }

    private mutating func separate() {
        if !first { bytes.append(0x09) }
        first = false
    }

    private mutating func null() {
        bytes += [0x5C, UInt8(ascii: "N")]
    }
}
