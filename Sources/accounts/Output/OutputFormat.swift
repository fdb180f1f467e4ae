import AccountsCLI
import ArgumentParser

/// `--format` of commands that report one result.
enum ResultFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// `--format` of `list`.
enum ListFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}
