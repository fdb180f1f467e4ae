// swift-tools-version:6.1
import Foundation
import PackageDescription

// `make test` (and so CI) builds the project's own code with warnings as errors: it has none,
// and a new one should stop the build, not scroll by among the packages' own.
let strict: [SwiftSetting] = ProcessInfo.processInfo.environment["ACCOUNTS_STRICT"] == nil ? [] : [.unsafeFlags(["-warnings-as-errors"])]

// Linux only: the code calls Glibc (and prctl, /proc) directly, as Debian's packages are what it
// is built, tested and deployed with.
let package = Package(
    name: "accounts",
    products: [
        .executable(name: "accounts", targets: ["accounts"]),
        // What `accounts serve` execs: the only executable that links SwiftNIO and Hummingbird.
        .executable(name: "accounts-serve", targets: ["accounts-serve"]),
        .library(name: "AccountsCore", targets: ["AccountsCore"]),
    ],
    // `Serve`: accounts-serve and its server (SwiftNIO, Hummingbird). On by default; `make demo`
    // builds without it (--disable-default-traits), so that the packages only the server uses
    // are neither fetched nor built.
    traits: [
        .trait(name: "Serve"),
        .default(enabledTraits: ["Serve"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        // `accounts serve` only (the AccountsWeb target): HTTP on SwiftNIO (TLS by swift-nio-ssl,
        // for --tls-cert/--tls-key), graceful shutdown.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // The system OpenSSL 3 (apt: libssl-dev); shim.h wraps what Swift cannot call (macros).
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        // libpq from Debian (apt: libpq-dev; at run time libpq5): the client psql and pg_dump
        // use, with every PG* setting, .pgpass and service files, on the same system OpenSSL.
        // Loaded when a PostgreSQL database is first used, not at every start (clibpq.c).
        .target(
            name: "CLibPQ",
            cSettings: [.unsafeFlags(["-Wall", "-Werror"])],
            linkerSettings: [.linkedLibrary("dl")]
        ),
        // Linux calls Swift's Glibc module does not export (prctl).
        .target(name: "CLinux"),
        .target(
            name: "AccountsCore",
            dependencies: [
                "COpenSSL",
                "CLibPQ",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            // The default mail templates, compiled into the binary (PackageResources), so an
            // installed `accounts` needs no files beside it; --templates DIR overrides them.
            resources: [
                .embedInCode("Mail/Templates/activation_subject.txt"),
                .embedInCode("Mail/Templates/activation_email.txt"),
                .embedInCode("Mail/Templates/activation_email.html"),
            ],
            swiftSettings: strict
        ),
        // `accounts serve`: the activation pages, /healthz and /metrics over Hummingbird, linked
        // into accounts-serve only.
        .target(
            name: "AccountsWeb",
            dependencies: [
                "AccountsCore",
                .product(name: "Hummingbird", package: "hummingbird", condition: .when(traits: ["Serve"])),
                .product(name: "HummingbirdCore", package: "hummingbird", condition: .when(traits: ["Serve"])),
                .product(name: "HummingbirdTLS", package: "hummingbird", condition: .when(traits: ["Serve"])),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle", condition: .when(traits: ["Serve"])),
                .product(name: "Logging", package: "swift-log", condition: .when(traits: ["Serve"])),
                .product(name: "HTTPTypes", package: "swift-http-types", condition: .when(traits: ["Serve"])),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            // The default pages, compiled into the binary like the mail templates.
            resources: [
                .embedInCode("Templates/page.html"),
                .embedInCode("Templates/style.css"),
            ],
            swiftSettings: strict
        ),
        // What both executables share: the global options, settings into a store, secrets and
        // mail (CommandContext), output, errors to exit codes, and serve's options.
        .target(
            name: "AccountsCLI",
            dependencies: [
                "AccountsCore",
                "CLinux",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "accounts",
            dependencies: [
                "AccountsCLI",
                "AccountsCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "CSV", package: "CSV.swift"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "accounts-serve",
            dependencies: [
                "AccountsCLI",
                "AccountsCore",
                "AccountsWeb",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // Micro-benchmarks for `make bench` (bench/run.py); not installed.
        .executableTarget(
            name: "accounts-bench",
            dependencies: ["AccountsCore"],
            path: "bench/AccountsBench"
        ),
        // What both test targets start: a PostgreSQL server of their own (Tests/postgres).
        .target(
            name: "AccountsTestSupport",
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "AccountsCoreTests",
            dependencies: ["AccountsCore", "AccountsTestSupport"],
            // Read from disk by the tests (see DjangoVectorsTests); made by Tests/django/make_vectors.py.
            exclude: ["django_vectors.json"],
            swiftSettings: strict
        ),
        // serve's rules one type at a time (cross-site check, rate limiter, client address,
        // headers, the log's redaction), and its router in process (SiteRouterTests: requests
        // handed to the responder, no socket), in milliseconds, under the pages' HTTP tests.
        // Not HummingbirdTesting: it links AsyncHTTPClient, minutes of build in every CI run.
        .testTarget(
            name: "AccountsWebTests",
            dependencies: [
                "AccountsWeb",
                "AccountsCore",
                .product(name: "HTTPTypes", package: "swift-http-types", condition: .when(traits: ["Serve"])),
                .product(name: "Hummingbird", package: "hummingbird", condition: .when(traits: ["Serve"])),
                .product(name: "Logging", package: "swift-log", condition: .when(traits: ["Serve"])),
            ],
            swiftSettings: strict
        ),
        // Drives the built `accounts` binary end to end; depends on it so `swift test` builds it.
        .testTarget(
            name: "AccountsCLITests",
            dependencies: ["accounts", "accounts-serve", "AccountsCore", "AccountsTestSupport"],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
