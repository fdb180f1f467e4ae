/// A connection the SMTP client reads and writes, plain or TLS, with deadlines.
protocol ByteStream: AnyObject {
    /// Up to `maximum` bytes; an empty result means the peer closed the connection.
    func read(maximum: Int, deadline: Deadline) throws(StreamFailure) -> [UInt8]
    func write(_ bytes: [UInt8], deadline: Deadline) throws(StreamFailure)
    func close()
}

/// Why a stream operation failed, before the client says at which stage.
enum StreamFailure: Error, Equatable {
    case timedOut
    case closed
    case io(String)
    /// TLS handshake or certificate failure, with OpenSSL's reason.
    case tls(String)
}
