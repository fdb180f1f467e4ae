import Foundation
import XCTest

/// `stats` after a known day: every count checked, in each format; the Prometheus text read by
/// prometheus_client's own parser (from PyPI, in .venv).
final class StatsCLITests: CLITestCase {
    /// hong: registered and activated; kim: registered, then purged; lee: registered, deleted,
    /// restored; park: registered, activated, deactivated.
    func makeADay() throws {
        let hong = try initAndRegister("hong", "hong@example.com")
        XCTAssertEqual(try accounts("activate", hong).status, 0)
        try initAndRegister("kim", "kim@example.com", extra: ["--no-send"])
        try initAndRegister("lee", "lee@example.com", extra: ["--no-send"])
        let park = try initAndRegister("park", "park@example.com")
        XCTAssertEqual(try accounts("activate", park).status, 0)
        XCTAssertEqual(try accounts("deactivate", "park").status, 0)
        XCTAssertEqual(try accounts("delete", "lee", "--yes").status, 0)
        Thread.sleep(forTimeInterval: 2.1) // token time counts whole seconds
        XCTAssertEqual(try accounts("purge-expired", "--older-than", "1s").stdout, "purged 1 account\n")
        XCTAssertEqual(try accounts("restore", "lee", "--no-send").status, 0)
    }

    func testEveryFormatCountsTheSame() throws {
        try makeADay()
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try accounts("stats", "--format", "json").stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["accounts"] as? [String: Int], ["active": 1, "pending": 1, "expired": 0, "inactive": 1])
        XCTAssertEqual(json["registered"] as? Int, 4)
        XCTAssertEqual(json["mails_sent"] as? Int, 2)
        XCTAssertEqual(json["mails_failed"] as? Int, 0)
        XCTAssertEqual(json["activated"] as? Int, 2)
        XCTAssertEqual(json["purged"] as? Int, 1)
        XCTAssertEqual(json["deleted"] as? Int, 1)
        XCTAssertEqual(json["restored"] as? Int, 1)
        let median = try XCTUnwrap(json["activation_seconds_median"] as? Int)
        XCTAssertTrue((0...5).contains(median), "\(median)")

        let table = try accounts("stats")
        XCTAssertEqual(table.status, 0, table.stderr)
        for line in ["accounts active                 1", "registered (since 7d)           4", "purged                          1",
                     "restored                        1"] {
            XCTAssertTrue(table.stdout.contains(line), "\(line) in\n\(table.stdout)")
        }
        // A period that ends before today's events counts none of them (accounts are counted now).
        let tomorrow = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try accounts("stats", "--since", "2999-01-01", "--format", "json").stdout.utf8)) as? [String: Any])
        XCTAssertEqual(tomorrow["registered"] as? Int, 0)
        XCTAssertEqual((tomorrow["accounts"] as? [String: Int])?["active"], 1)

        let prometheus = try accounts("stats", "--format", "prometheus")
        XCTAssertEqual(prometheus.status, 0, prometheus.stderr)
        let parse = try run(try testPython(), ["-c", """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            out = {}
            for family in text_string_to_metric_families(sys.stdin.read()):
                for sample in family.samples:
                    key = sample.name + "".join("{%s=%s}" % item for item in sorted(sample.labels.items()))
                    out[key] = sample.value
                out["type " + family.name] = family.type
            print(json.dumps(out, sort_keys=True))
            """], stdin: prometheus.stdout)
        XCTAssertEqual(parse.status, 0, parse.stderr)
        let samples = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(parse.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(samples["accounts_users{state=active}"] as? Double, 1)
        XCTAssertEqual(samples["accounts_users{state=pending}"] as? Double, 1)
        XCTAssertEqual(samples["accounts_registrations_total"] as? Double, 4)
        XCTAssertEqual(samples["accounts_activation_mails_total{outcome=sent}"] as? Double, 2)
        XCTAssertEqual(samples["accounts_activations_total"] as? Double, 2)
        XCTAssertEqual(samples["accounts_activation_delay_seconds_count"] as? Double, 2)
        XCTAssertEqual(samples["accounts_purged_total"] as? Double, 1)
        XCTAssertEqual(samples["accounts_deletions_total"] as? Double, 1)
        XCTAssertEqual(samples["accounts_restores_total"] as? Double, 1)
        XCTAssertEqual(samples["type accounts_registrations"] as? String, "counter")
        XCTAssertEqual(samples["type accounts_users"] as? String, "gauge")
        XCTAssertEqual(samples["type accounts_activation_delay_seconds"] as? String, "summary")

        XCTAssertEqual(try accounts("stats", "--since", "1d", "--format", "prometheus").status, 64)
        XCTAssertEqual(try accounts("stats", "--since", "yesterday").status, 64)
    }
}
