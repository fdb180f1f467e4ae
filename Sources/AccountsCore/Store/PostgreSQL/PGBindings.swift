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
