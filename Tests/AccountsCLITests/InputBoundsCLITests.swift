import Foundation
import XCTest

/// Input is read up to a bound, or streamed: a runaway pipe or a huge file cannot exhaust memory.
final class InputBoundsCLITests: CLITestCase {
    /// Runs the binary from Python to read its peak memory (ru_maxrss, in KiB) when it ends.
    func peakMemory(_ arguments: [String], stdinFile: String? = nil) throws -> (run: Run, kilobytes: Int) {
        let script = """
            import resource, subprocess, sys
            stdin = open(sys.argv[1], "rb") if sys.argv[1] else subprocess.DEVNULL
            p = subprocess.run(sys.argv[2:], stdin=stdin, capture_output=True)
            sys.stderr.buffer.write(p.stderr)
            print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
            sys.exit(p.returncode)
            """
        let result = try run(try testPython(), ["-c", script, stdinFile ?? "", Self.binary] + arguments)
        return (result, Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1)
    }

    func testAPasswordLongerThan4096BytesIsRefusedWithoutReadingItAll() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        let path = directory + "/huge-password"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let chunk = Data(repeating: UInt8(ascii: "p"), count: 1 << 20)
        for _ in 0..<64 { handle.write(chunk) } // 64 MiB, on one line
        try handle.close()
        let before = try dump()
        let (result, kilobytes) = try peakMemory(["register", "hong", "hong@example.com", "--password-stdin"], stdinFile: path)
        XCTAssertEqual(result.status, 65, result.stderr)
        XCTAssertTrue(result.stderr.contains("the password is longer than 4096 bytes"), result.stderr)
        XCTAssertLessThan(kilobytes, 60 * 1024, "it did not read 64 MiB (before the fix: 2x the input)")
        XCTAssertEqual(try dump(), before)
        let exactly = String(repeating: "p", count: 4096)
        XCTAssertEqual(try accounts(["register", "hong", "hong@example.com", "--password-stdin", "--no-send", "-q"], stdin: exactly + "\n").status, 0)
    }

    /// Memory does not grow with the file's rows beyond a small fixed amount per row (before: 40
    /// times the file's size). 20,000 and 120,000 rows, from a file and from standard input.
    func testBulkRegistrationMemoryStaysBoundedAsTheFileGrows() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        func file(_ rows: Int, _ name: String) throws -> String {
            let path = directory + "/" + name
            let text = "user_id,email,department\n" + (0..<rows).map { "student\($0),student\($0)@example.com,Department of Computer Science and Engineering" }.joined(separator: "\n") + "\n"
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            return path
        }
        var peaks: [Int] = []
        for (rows, name) in [(20_000, "small"), (120_000, "large")] {
            try? FileManager.default.removeItem(atPath: directory + "/\(name).sqlite3")
            let path = try file(rows, name + ".csv")
            let (result, kilobytes) = try peakMemory(["register", "--from-csv", "-", "--no-send", "-q", "--database", name + ".sqlite3"], stdinFile: path)
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(try sql("SELECT count(*) FROM users", database: name + ".sqlite3"), ["\(rows)"])
            peaks.append(kilobytes)
        }
        // 100,000 more rows (9 MB more text): at most ~200 bytes a row more; 40x would be 360 MB.
        XCTAssertLessThan(peaks[1] - peaks[0], 20 * 1024, "peak memory of 20,000 rows: \(peaks[0]) KiB, of 120,000: \(peaks[1]) KiB")
    }
}
