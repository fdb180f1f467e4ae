/// "Did you mean …?": the known name closest to a mistyped one, when it is close enough to be
/// what was meant (an edit distance of at most a third of the name, and at least one).
public enum Suggestion {
    public static func closest(to typed: String, among names: [String]) -> String? {
        let typed = Array(typed.lowercased().unicodeScalars)
        let limit = max(1, typed.count / 3)
        return names.map { (name: $0, distance: distance(typed, Array($0.lowercased().unicodeScalars))) }
            .filter { $0.distance <= limit }
            .min { ($0.distance, $0.name) < ($1.distance, $1.name) }?.name
    }

    /// Optimal string alignment: insertions, deletions, substitutions and swaps of neighbours.
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
