/// The parameters of one statement, each placeholder numbered as its value is bound: `bind(x)`
/// appends x and returns its `$n`. Statements that are put together from parts (a filter's
/// optional conditions, a shared predicate) bind through this instead of counting by hand.
struct PGBindings {
    private(set) var parameters: [PGParameter] = []

    mutating func bind(_ value: PGParameter) -> String {
        parameters.append(value)
        return "$\(parameters.count)"
    }
}

extension PGBindings: AuditLogBinder {
    mutating func placeholder(for value: AuditLogValue) -> String {
        switch value {
        case .integer(let number): bind(PGParameter.int8(number))
        case .text(let text): bind(PGParameter.text(text))
        case .instant(let instant): bind(PGParameter.timestamptz(instant))
        }
    }

    mutating func anyOf(_ ids: [Int64], column: String) -> String {
        "\(column) = ANY(\(bind(PGParameter.int8Array(ids)))::bigint[])"
    }
}
