// libFuzzer target: UIDCodec.decode, the uid half of an activation link.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUID(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let text = String(decoding: bytes, as: UTF8.self)
    // Only the one canonical spelling of a positive id decodes.
    if let id = UIDCodec.decode(text) {
        precondition(id > 0, "decoded a non-positive id from \(text)")
        precondition(UIDCodec.encode(id) == text, "\(text) decoded to \(id), which encodes differently")
    }
    // And every positive id survives a round trip.
    if size >= 8 {
        let id = Int64(bitPattern: bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        if id > 0 {
            precondition(UIDCodec.decode(UIDCodec.encode(id)) == id, "round trip lost \(id)")
        }
    }
    return 0
}
