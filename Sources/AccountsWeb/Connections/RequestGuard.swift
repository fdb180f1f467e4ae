import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// What `serve` asks of every connection before Hummingbird sees a request: a place under the
/// connection cap (`ConnectionTable`), a whole request within `requestTimeout` of its first byte
/// (`RequestDeadline`, which sees the bytes before they are decoded), one Host header (two are
/// ambiguous: the request is refused), and an answer to `Expect: 100-continue` (curl and other
/// clients send a form's body only after it). Sits after the HTTP decoder, before Hummingbird.
final class RequestGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private static let host = HTTPField.Name("Host")!
    private let table: ConnectionTable
    private let deadline: RequestDeadline
    /// A refused request's remaining parts are dropped.
    private var refusing = false

    init(table: ConnectionTable, requestTimeout: TimeAmount) {
        self.table = table
        deadline = RequestDeadline(timeout: requestTimeout)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        deadline.table = table
        do {
            try context.pipeline.syncOperations.addHandler(deadline, position: .first)
        } catch {
            context.close(promise: nil)
            return
        }
        if !table.open(context.channel) { context.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        table.closed(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        guard !refusing else { return }
        switch part {
        case .head(let request):
            deadline.requestStarted(context: context)
            // HTTPTypes moved the first Host into `authority`; a second one stays a field.
            if request.headerFields[Self.host] != nil {
                return refuse(context, .badRequest, "bad request: more than one Host header\n")
            }
            if let expectation = request.headerFields[.expect] {
                guard expectation.lowercased() == "100-continue" else {
                    return refuse(context, .expectationFailed, "expectation failed: only 100-continue is understood\n")
                }
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
            }
        case .body:
            break
        case .end:
            deadline.requestArrived()
            table.set(context.channel, .answering)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            deadline.answered()
            table.set(context.channel, .idle)
        }
        context.write(data, promise: promise)
    }

    /// Answers `status` and closes: Hummingbird never sees the request.
    private func refuse(_ context: ChannelHandlerContext, _ status: HTTPResponse.Status, _ text: String) {
        refusing = true
        var fields = HTTPFields()
        fields[.contentType] = "text/plain; charset=utf-8"
        fields[.contentLength] = String(text.utf8.count)
        fields[.connection] = "close"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(string: text))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// The first handler of a connection's pipeline (before TLS and the HTTP decoder, so it sees a
/// request's bytes as they arrive): from the first byte of a request, the whole of it must be
/// in within `timeout`, or the connection is closed. Hummingbird's idle timeout starts again at
/// every byte, so a body dribbled one byte a minute would keep a connection for ever.
final class RequestDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let timeout: TimeAmount
    fileprivate var table: ConnectionTable?
    private var answering = false
    private var timer: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !answering { arm() }
        context.fireChannelRead(data)
    }

    /// The decoder saw a request's head (its first bytes may have come with the last request's).
    fileprivate func requestStarted(context: ChannelHandlerContext) {
        answering = false
        arm()
    }

    fileprivate func requestArrived() {
        answering = true
        timer?.cancel()
        timer = nil
    }

    fileprivate func answered() {
        answering = false
    }

    private func arm() {
        guard timer == nil, let context else { return }
        table?.set(context.channel, .reading)
        let channel = context.channel
        timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: timeout) { [weak self] in
            self?.timer = nil
            channel.close(promise: nil)
        }
    }
}
