// libFuzzer target: ActivationLink(pasted:), the parser of whatever an operator pastes.
// Built with the sources it tests by Tests/fuzz/run.sh; see docs/SECURITY.md.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzActivationLink(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let link = ActivationLink(pasted: text) else { return 0 }
    precondition(!link.uid.isEmpty && !link.token.isEmpty, "parsed an empty uid or token")
    _ = UIDCodec.decode(link.uid)

    // What the parser returns must come back unchanged through the link we would mail.
    let survivesTemplate = [link.uid, link.token].allSatisfy { part in
        !part.contains("{") && !part.unicodeScalars.contains { scalar in
            "/?#%".unicodeScalars.contains(scalar) || scalar.properties.isWhitespace
                || scalar.properties.generalCategory == .control
        }
    }
    if survivesTemplate && link.uid.utf8.count + link.token.utf8.count < 4096 {
        let url = link.url(template: "https://example.com/activate/{uid}/{token}/")
        precondition(ActivationLink(pasted: url) == link, "round trip changed \(link) via \(url)")
    }
    return 0
}
