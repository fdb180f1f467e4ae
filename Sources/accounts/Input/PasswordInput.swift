import AccountsCLI
import AccountsCore
import Foundation

/// Reads a password without it ever being a command-line argument.
enum PasswordInput {
    /// Reading stops past `NewPassword.maximumLength`, so a runaway pipe costs no memory.
    static let maximumLength = NewPassword.maximumLength

    /// All of standard input, less one trailing line break (as `docker login --password-stdin`).
    static func fromStandardInput() throws -> String {
        // One byte more than allowed (and a line break): enough to tell "too long" from "just fits".
        let data = FileHandle.standardInput.readData(ofLength: maximumLength + 3)
        var trimmed = data
        if trimmed.last == UInt8(ascii: "\n") { trimmed.removeLast() }
        if trimmed.last == UInt8(ascii: "\r") { trimmed.removeLast() }
        guard trimmed.count <= maximumLength else { throw tooLong() }
        guard var text = String(data: data, encoding: .utf8) else {
            throw AccountsError(.badData, "the password on standard input is not UTF-8 text")
        }
        if text.hasSuffix("\r\n") { text.removeLast(1) } else if text.hasSuffix("\n") { text.removeLast() }
        if text.contains("\n") {
            throw AccountsError(.badData, "the password on standard input has more than one line")
        }
        return text
    }

    /// Asks twice on the terminal with echo off, as Django's createsuperuser does.
    static func prompt() throws -> String {
        let tty = open("/dev/tty", O_RDWR)
        guard tty >= 0 else {
            throw AccountsError(.usage, "--prompt-password needs a terminal; pipe the password to --password-stdin instead")
        }
        defer { close(tty) }
        let first = try read(tty, prompt: "Password: ")
        let second = try read(tty, prompt: "Password (again): ")
        guard first == second else { throw AccountsError(.badData, "the two passwords differ") }
        return first
    }

    private static func read(_ tty: Int32, prompt: String) throws -> String {
        var saved = termios()
        let isTerminal = tcgetattr(tty, &saved) == 0
        if isTerminal {
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(tty, TCSAFLUSH, &silent)
        }
        defer {
            if isTerminal { tcsetattr(tty, TCSANOW, &saved) }
            _ = Foundation.write(tty, "\n", 1)
        }
        // Prompt only once echo is off, so nothing typed after the prompt can be echoed.
        _ = prompt.withCString { Foundation.write(tty, $0, strlen($0)) }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        var overlong = false
        while Foundation.read(tty, &byte, 1) == 1, byte != UInt8(ascii: "\n") {
            // Keep reading to the end of the line (so nothing typed is left for the shell), but
            // do not keep what is beyond the limit.
            if bytes.count <= maximumLength { bytes.append(byte) } else { overlong = true }
        }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard !overlong, bytes.count <= maximumLength else { throw tooLong() }
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw AccountsError(.badData, "the password is not UTF-8 text")
        }
        return text
    }

    private static func tooLong() -> AccountsError { NewPassword.tooLong }
}
