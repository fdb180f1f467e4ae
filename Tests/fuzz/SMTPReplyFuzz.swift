// libFuzzer target: SMTPReplyReader, which reads whatever a (possibly hostile) SMTP server sends.

private enum Ending: Equatable { case needMoreData, malformed }

/// Every reply the reader gives for `input` delivered in pieces of `chunk` bytes, and how it stopped.
private func read(_ input: ArraySlice<UInt8>, chunk: Int) -> ([SMTPReply], Ending) {
    var reader = SMTPReplyReader()
    var replies: [SMTPReply] = []
    var start = input.startIndex
    while start < input.endIndex {
        let end = min(start + chunk, input.endIndex)
        reader.append(Array(input[start..<end]))
        start = end
        while true {
            do {
                replies.append(try reader.nextReply())
            } catch .needMoreData {
                break
            } catch {
                return (replies, .malformed)
            }
        }
    }
    return (replies, .needMoreData)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSMTPReply(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let first = bytes.first else { return 0 }
    let input = bytes.dropFirst()
    let (whole, wholeEnding) = read(input, chunk: max(input.count, 1))
    let (pieces, piecesEnding) = read(input, chunk: Int(first % 16) + 1)
    // How the bytes are split into packets must not change what is read.
    precondition(whole == pieces && wholeEnding == piecesEnding,
                 "split into \(Int(first % 16) + 1)-byte pieces: \(pieces) \(piecesEnding), whole: \(whole) \(wholeEnding)")
    for reply in whole {
        precondition((200...599).contains(reply.code), "code \(reply.code)")
        precondition(!reply.lines.isEmpty && reply.lines.count <= SMTPReplyReader.maximumLines, "\(reply.lines.count) lines")
        // Counted in scalars: an invalid byte is decoded as U+FFFD, one scalar but three UTF-8 bytes.
        precondition(reply.lines.allSatisfy { $0.unicodeScalars.count <= SMTPReplyReader.maximumLineLength }, "line too long")
    }
    return 0
}
