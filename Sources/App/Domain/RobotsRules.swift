/// What a site's `robots.txt` lets one crawler fetch (RFC 9309): the group naming its product token, else the
/// `*` group; the longest matching `Allow` or `Disallow` path wins (`Allow` on a tie), with `*` matching any run
/// of characters and a final `$` anchoring the end.
struct RobotsRules: Sendable, Equatable {
    private struct Rule: Sendable, Equatable {
        let allow: Bool
        let pattern: String
    }

    private let rules: [Rule]

    /// A site without rules (its robots.txt answered 4xx): everything is allowed.
    static let allowAll = RobotsRules(rules: [])

    private init(rules: [Rule]) { self.rules = rules }

    /// The rules of `text` for the crawler whose product token is `userAgent` (such as `Switchboard-Sync`).
    init(_ text: String, userAgent: String) {
        let token = userAgent.lowercased()
        var groups: [(agents: [String], rules: [Rule])] = []
        var lastWasAgent = false
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            guard let colon = line.firstIndex(of: ":") else { continue }
            let field = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch field {
            case "user-agent":
                if lastWasAgent, !groups.isEmpty {
                    groups[groups.count - 1].agents.append(value.lowercased())
                } else {
                    groups.append(([value.lowercased()], []))
                }
                lastWasAgent = true
            case "allow", "disallow":
                lastWasAgent = false
                // An empty Disallow allows everything: it adds no rule.
                guard !groups.isEmpty, !value.isEmpty else { continue }
                groups[groups.count - 1].rules.append(Rule(allow: field == "allow", pattern: value))
            default:
                lastWasAgent = false
            }
        }
        let named = groups.filter { $0.agents.contains { $0 != "*" && token.hasPrefix($0) } }
        let chosen = named.isEmpty ? groups.filter { $0.agents.contains("*") } : named
        rules = chosen.flatMap(\.rules)
    }

    /// Whether `path` (with its query, starting with `/`) may be fetched.
    func allows(_ path: String) -> Bool {
        var best: Rule?
        for rule in rules where Self.matches(rule.pattern, path) {
            if let current = best,
                current.pattern.count > rule.pattern.count
                    || (current.pattern.count == rule.pattern.count && current.allow)
            {
                continue
            }
            best = rule
        }
        return best?.allow ?? true
    }

    private static func matches(_ pattern: String, _ path: String) -> Bool {
        let anchored = pattern.hasSuffix("$")
        let pieces = (anchored ? String(pattern.dropLast()) : pattern).split(
            separator: "*",
            omittingEmptySubsequences: false
        )
        var rest = Substring(path)
        for (index, piece) in pieces.enumerated() {
            if index == 0 {
                guard rest.hasPrefix(piece) else { return false }
                rest = rest.dropFirst(piece.count)
            } else if index == pieces.count - 1 && anchored {
                return rest.hasSuffix(piece)
            } else if !piece.isEmpty {
                guard let found = rest.range(of: piece) else { return false }
                rest = rest[found.upperBound...]
            }
        }
        return !anchored || rest.isEmpty
    }
}
