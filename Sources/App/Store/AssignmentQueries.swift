/// The SQL of automatic assignment, written once for both stores: each takes its placeholders (`?1` on SQLite,
/// `$1` on PostgreSQL).
enum AssignmentQueries {
    /// The workspace's oldest escalation of a bot with automatic assignment.
    static func oldestWaiting(workspace: String) -> String {
        """
        SELECT conversation.* FROM conversation JOIN bot ON bot.id = conversation.botId
        WHERE conversation.workspaceId = \(workspace) AND conversation.state = 'Escalated' AND bot.assignment = 'auto'
        ORDER BY conversation.escalatedAt, conversation.id LIMIT 1
        """
    }

    /// The available, connected agent with the most room: fewest active conversations under their capacity, then
    /// the one whose last conversation came longest ago.
    static func nextAgent(now: String, workspace: String) -> String {
        """
        SELECT * FROM (
          SELECT agent.*,
            (SELECT COUNT(*) FROM conversation c WHERE c.claimedByAgentId = agent.id AND c.state = 'Active') AS load
          FROM agent
          WHERE agent.workspaceId = \(workspace) AND agent.status = 'available'
            AND EXISTS (SELECT 1 FROM agentConnection p WHERE p.agentId = agent.id AND p.expiresAt > \(now))
        ) AS candidate
        WHERE load < capacity
        ORDER BY load, COALESCE(lastAssignedAt, 0), id LIMIT 1
        """
    }

    static let workspacesAwaiting = """
        SELECT DISTINCT conversation.workspaceId FROM conversation JOIN bot ON bot.id = conversation.botId
        WHERE conversation.state = 'Escalated' AND bot.assignment = 'auto'
        """
}
