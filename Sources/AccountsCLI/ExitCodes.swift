import AccountsCore

/// The one place where kinds of failure become exit codes (BSD sysexits.h).
package enum ExitCodes {
    package static func code(for kind: AccountsError.Kind) -> Int32 {
        switch kind {
        case .usage: 64          // EX_USAGE
        case .badData: 65        // EX_DATAERR
        case .noInput: 66        // EX_NOINPUT
        case .noSuchUser: 67     // EX_NOUSER
        case .unavailable: 69    // EX_UNAVAILABLE
        case .cannotCreate: 73   // EX_CANTCREAT
        case .ioError: 74        // EX_IOERR
        case .temporary: 75      // EX_TEMPFAIL
        case .configuration: 78  // EX_CONFIG
        }
    }
}
