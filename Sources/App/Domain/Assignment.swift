/// Automatic assignment (DESIGN.md §4, "Assignment"): which agent an escalation goes to, and when an agent counts
/// as available.
enum AssignmentMode: String, Codable, Sendable, CaseIterable {
    /// Agents claim from the queue (the reference's behaviour, the default).
    case claim
    /// Each escalation goes at once to an available agent with room; the rest wait in order.
    case auto
}

/// What an agent says of themself: `away` agents get no assignments (they may still claim by hand).
enum AgentStatus: String, Codable, Sendable, CaseIterable {
    case available, away
}

enum AgentCapacity {
    /// How many active conversations automatic assignment gives one agent at most.
    static let range = 1...100
    static let standard = 3
}

/// An agent counts as connected while one of their inbox streams is open on some instance. Each instance renews
/// its agents' presence every `renewal`; a presence not renewed within `lifetime` (its instance stopped) lapses.
enum AgentPresence {
    static let renewal: Duration = .seconds(15)
    static let lifetime: Duration = .seconds(45)
}

/// An agent's load as assignment sees it.
struct AgentLoad: Sendable, Equatable {
    var activeConversations: Int
    var connected: Bool
}
