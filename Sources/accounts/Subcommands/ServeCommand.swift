import AccountsCore
import AccountsWeb
import ArgumentParser
import Foundation
import Synchronization

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Answer activation links over HTTP: a confirm page on GET, activation on POST.",
        discussion: """
            Serves the path of ACTIVATION_URL (/users/activate/{uid}/{token}/ by default). A GET
            changes nothing: it shows the account (user_id, email masked) and one button, so that
            mail scanners and link previewers that fetch every link cannot use it up. The button
            POSTs, and the POST activates exactly as `accounts activate` does (one activation of
            many concurrent POSTs, the same audit entry); then a result page, or a redirect to
            ACTIVATION_SUCCESS_URL. An expired link offers a new one (under ACTIVATION_COOLDOWN).
            Pages in Korean or English by Accept-Language, else LANGUAGE_CODE (ko).

            Also /healthz (200, or 503 when the store does not answer) and /metrics (Prometheus:
            the names of `accounts stats --format prometheus`, and requests by route and status).
            One JSON line per request on stderr, tokens replaced by [token]; nothing on stdout.
            SIGTERM or SIGINT: stops accepting, finishes requests in flight, exits 0.
            HTTPS with --tls-cert/--tls-key (then also Strict-Transport-Security); or plain HTTP behind a
            reverse proxy listed in TRUSTED_PROXIES (docs/serve.md shows nginx).
            """
    )

    @Option(help: ArgumentHelp("Address and port to listen on (port 0: any free one, said on stderr).", valueName: "host:port"))
    var listen = "127.0.0.1:8000"

    @Option(help: ArgumentHelp("Directory whose page.html or style.css replace the built-in ones.", valueName: "dir"))
    var templates: String?

    @Option(help: ArgumentHelp("Serve HTTPS with this PEM certificate chain (with --tls-key); else plain HTTP for a reverse proxy.", valueName: "file"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("The certificate's PEM private key: a file of yours or root's that no other user can read.", valueName: "file"))
    var tlsKey: String?

    @Option(help: "Threads for database and mail calls, 1-256 (default: 2 on SQLite, whose one connection serves one at a time; 8 on PostgreSQL).")
    var threads: Int?

    @Option(help: "POSTs one client address may make per minute (1-10000).")
    var postsPerMinute = 10

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard ListenAddress(listen) != nil else {
            throw ValidationError("--listen '\(printable(listen))' is not host:port (127.0.0.1:8000, [::1]:8000, 0.0.0.0:8080)")
        }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        guard (1...256).contains(threads ?? 1) else { throw ValidationError("--threads must be from 1 to 256") }
        guard (1...10_000).contains(postsPerMinute) else { throw ValidationError("--posts-per-minute must be from 1 to 10000") }
    }

    func run() throws {
        let context = try CommandContext(global)
        let secrets = try context.secrets()
        let links = context.links(context.tokens(secrets))
        let store = try context.store()
        // The mail settings are checked now, not at the first resend.
        _ = try context.mail(secrets)
        let address = ListenAddress(listen)!
        var threads = self.threads ?? 8
        if self.threads == nil, case .sqlite = try DatabaseLocation(context.settings.database) { threads = 2 }
        let certificate = try tlsCert.map { try ServerCertificate(certificatePath: $0, keyPath: tlsKey!, allowReadableKey: global.allowInsecureSecrets) }
        let server = try ActivationServer(
            options: .init(host: address.host, port: address.port, templatesDirectory: templates, threads: threads,
                           postsPerMinute: postsPerMinute, quiet: global.quiet, certificate: certificate),
            settings: context.settings, store: store, links: links,
            makeMail: { try context.mail(secrets) })
        try Self.wait { try await server.run() }
    }

    /// Runs `body` to its end from this synchronous command (the root command is not async).
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

/// `host:port`, `[v6]:port`.
struct ListenAddress {
    let host: String
    let port: Int

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(" ") else { return nil }
        self.host = host
        self.port = port
    }
}
