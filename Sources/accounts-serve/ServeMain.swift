import AccountsCLI
import AccountsCore
import AccountsWeb
import ArgumentParser
import Foundation
import Synchronization

/// `accounts-serve`: what `accounts serve` runs (it execs this with its own arguments). Parses
/// the same options and serves the activation pages until SIGTERM or SIGINT.
@main
struct ServeMain: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "accounts serve", abstract: ServeOptions.abstract,
                                                    discussion: ServeOptions.discussion)

    @OptionGroup var options: ServeOptions
    @OptionGroup var global: GlobalOptions

    static func main() {
        CommandLineMain.run(ServeMain.self)
    }

    func run() throws {
        let context = try CommandContext(global)
        let secrets = try context.secrets()
        let links = context.links(context.tokens(secrets))
        let store = try context.store(statementTimeout: Int64(options.statementTimeout))
        // /metrics reads on a store of its own, under the commands' statement bound.
        let statisticsStore = try context.store()
        // The mail settings are checked now, not at the first resend.
        _ = try context.mail(secrets)
        let address = ListenAddress(options.listen)!
        var threads = options.threads ?? 8
        if options.threads == nil, case .sqlite = try DatabaseLocation(context.settings.database) { threads = 2 }
        try OpenFiles.ensure(options.maxConnections + (options.metricsListen == nil ? 0 : ActivationServerLimits.operationsConnections) + threads + 64,
                             for: "--max-connections \(options.maxConnections)")
        let certificate = try options.tlsCert.map {
            try ServerCertificate(certificatePath: $0, keyPath: options.tlsKey!, allowReadableKey: global.allowInsecureSecrets)
        }
        var serverOptions = ActivationServer.Options(host: address.host, port: address.port, templatesDirectory: options.templates,
                                                     threads: threads, postsPerMinute: options.postsPerMinute, quiet: global.quiet,
                                                     certificate: certificate)
        serverOptions.maximumConnections = options.maxConnections
        serverOptions.requestTimeout = .seconds(options.requestTimeout)
        serverOptions.metricsMaximumAge = .seconds(options.metricsMaxAge)
        if let metricsListen = options.metricsListen, let operations = ListenAddress(metricsListen) {
            serverOptions.operationsHost = operations.host
            serverOptions.operationsPort = operations.port
        }
        let server = try ActivationServer(options: serverOptions, settings: context.settings, store: store, statisticsStore: statisticsStore,
                                          links: links, makeMail: { try context.mail(secrets) })
        try Self.wait { try await server.run() }
    }

    /// Runs `body` to its end from this synchronous command (ArgumentParser's root is not async).
    private static func wait(_ body: @escaping @Sendable () async throws -> Void) throws {
        let outcome = Mutex<Result<Void, Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let result: Result<Void, Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        try outcome.withLock { $0! }.get()
    }
}
