// libFuzzer target: ActivationLink(pasted:), the parser of whatever an operator pastes.
// Built with the sources it tests by Tests/fuzz/run.sh; see docs/SECURITY.md.

let pathTemplate = try! LinkTemplate("https://example.com/activate/{uid}/{token}/")
let queryTemplate = try! LinkTemplate("https://example.com/verify?uid={uid}&token={token}")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzActivationLink(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = queryTemplate.link(pasted: text)
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
        let url = pathTemplate.url(for: link)
        precondition(ActivationLink(pasted: url) == link, "round trip changed \(link) via \(url)")
        precondition(pathTemplate.link(pasted: url) == link, "round trip through the template changed \(link) via \(url)")
        // Scalars, not Characters: "&" followed by a combining mark is one Character that
        // `contains("&")` does not find, and the query parser (rightly) splits on the byte.
        if !link.uid.unicodeScalars.contains("&") && !link.token.unicodeScalars.contains("&") && !link.uid.unicodeScalars.contains("=") {
            let query = queryTemplate.url(for: link)
            precondition(queryTemplate.link(pasted: query) == link, "round trip changed \(link) via \(query)")
        }
    }
    return 0
}
