import AccountsCore
import ArgumentParser
import Glibc

/// `accounts serve`'s options, shared by the `serve` subcommand of `accounts` (which execs
/// `accounts-serve` with them, so that `accounts` itself links no server) and by `accounts-serve`
/// (which parses them again and serves): one definition, so that help, completions and the man
/// page are those of what runs.
package struct ServeOptions: ParsableArguments {
    package static let abstract = "Answer activation links over HTTP: a confirm page on GET, activation on POST."
    package static let discussion = """
        Serves the path of ACTIVATION_URL (/users/activate/{uid}/{token}/ by default). A GET changes \
        nothing: it shows the account (user_id, email masked) and one button, so that mail scanners and \
        link previewers that fetch every link cannot use it up. The button POSTs, and the POST activates \
        exactly as `accounts activate` does (one activation of many concurrent POSTs, the same audit \
        entry); then a result page, or a redirect to ACTIVATION_SUCCESS_URL. The latest link, expired, \
        offers a new one: queued at once, sent by the server's own threads, under ACTIVATION_COOLDOWN and \
        at most ACTIVATION_RESEND_LIMIT times an account. Pages in Korean or English by Accept-Language, \
        else LANGUAGE_CODE (ko).

        Also /healthz (200, or 503 when the store does not answer within 3 s) and /metrics (Prometheus: \
        the names of `accounts stats --format prometheus`, read apart from the pages and at most \
        --metrics-max-age old, and requests by route and status), or both on --metrics-listen alone. A \
        request must arrive whole within --request-timeout; at most --max-connections are open; on \
        PostgreSQL a page's statement runs at most --statement-timeout. One JSON line per request on \
        stderr, tokens replaced by [token]; nothing on stdout. SIGTERM or SIGINT: stops accepting, \
        finishes requests in flight, exits 0. HTTPS with --tls-cert/--tls-key (then also \
        Strict-Transport-Security); or plain HTTP behind a reverse proxy listed in TRUSTED_PROXIES \
        (docs/serve.md shows nginx).
        """

    package init() {}

    @Option(help: ArgumentHelp("Address and port to listen on (port 0: any free one, said on stderr).", valueName: "host:port"))
    package var listen = "127.0.0.1:8000"

    @Option(help: ArgumentHelp("Directory whose page.html or style.css replace the built-in ones.", valueName: "dir"))
    package var templates: String?

    @Option(help: ArgumentHelp("Serve HTTPS with this PEM certificate chain (with --tls-key); else plain HTTP for a reverse proxy.", valueName: "file"))
    package var tlsCert: String?

    @Option(help: ArgumentHelp("The certificate's PEM private key: a file of yours or root's that no other user can read.", valueName: "file"))
    package var tlsKey: String?

    @Option(help: "Threads for database and mail calls, 1-256 (default: 2 on SQLite, whose one connection serves one at a time; 8 on PostgreSQL).")
    package var threads: Int?

    @Option(help: "POSTs one client (an IPv4 address, an IPv6 /64) may make per minute (1-1000000).")
    package var postsPerMinute = 10

    @Option(help: "Open connections at most (16-100000); past it a new one replaces the slowest still sending its request.")
    package var maxConnections = 512

    @Option(help: ArgumentHelp("Seconds from a request's first byte to its last (headers and body), 1-600.", valueName: "seconds"))
    package var requestTimeout = 20

    @Option(help: ArgumentHelp("Serve /healthz and /metrics here instead of on --listen (which then answers pages only).", valueName: "host:port"))
    package var metricsListen: String?

    @Option(help: ArgumentHelp("Seconds the statistics of /metrics may be old (0-3600; 0: read at every scrape, one at a time).", valueName: "seconds"))
    package var metricsMaxAge = 15

    @Option(help: ArgumentHelp("PostgreSQL: seconds a page's statement may run before it is cancelled and the page says try later (1-600).", valueName: "seconds"))
    package var statementTimeout = 5

    package func validate() throws {
        guard ListenAddress(listen) != nil else {
            throw ValidationError("--listen '\(printable(listen))' is not host:port (127.0.0.1:8000, [::1]:8000, 0.0.0.0:8080)")
        }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        guard (1...256).contains(threads ?? 1) else { throw ValidationError("--threads must be from 1 to 256") }
        guard (1...1_000_000).contains(postsPerMinute) else { throw ValidationError("--posts-per-minute must be from 1 to 1000000") }
        guard (16...100_000).contains(maxConnections) else { throw ValidationError("--max-connections must be from 16 to 100000") }
        guard (1...600).contains(requestTimeout) else { throw ValidationError("--request-timeout must be from 1 to 600") }
        guard (0...3600).contains(metricsMaxAge) else { throw ValidationError("--metrics-max-age must be from 0 to 3600") }
        guard (1...600).contains(statementTimeout) else { throw ValidationError("--statement-timeout must be from 1 to 600") }
        if let metricsListen, ListenAddress(metricsListen) == nil {
            throw ValidationError("--metrics-listen '\(printable(metricsListen))' is not host:port (127.0.0.1:9100)")
        }
    }
}

/// `host:port`, `[v6]:port`.
package struct ListenAddress {
    package let host: String
    package let port: Int

    package init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(" ") else { return nil }
        self.host = host
        self.port = port
    }
}

/// The process's open-file limit against what `serve` may hold open at once: raised up to the
/// hard limit when it is short (systemd's default soft limit is 1,024), refused (78) when even
/// that is too little, so that the cap on connections, not EMFILE, is what stops a flood.
package enum OpenFiles {
    package static func ensure(_ needed: Int, for what: String) throws {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        guard limit.rlim_cur < rlim_t(needed) else { return }
        if limit.rlim_max >= rlim_t(needed) {
            limit.rlim_cur = rlim_t(needed)
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { return }
        }
        throw AccountsError(.configuration, "\(what) needs about \(needed) open files, and this process may open \(limit.rlim_max) at most; lower it, or raise the limit (LimitNOFILE= in the unit, ulimit -n)")
    }
}
