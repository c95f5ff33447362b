/// The SQL of automatic assignment, written once for both stores: each takes its placeholders (`?1` on SQLite,
/// `$1` on PostgreSQL).
enum AssignmentQueries {
    /// The workspace's oldest escalation of a bot with automatic assignment (its escalations found by the index of
    /// conversations by workspace and state, then ordered: the queue is short).
    static func oldestWaiting(workspace: String) -> String {
        """
        SELECT conversation.* FROM conversation JOIN bot ON bot.id = conversation.botId
        WHERE conversation.workspaceId = \(workspace) AND conversation.state = 'Escalated' AND bot.assignment = 'auto'
        ORDER BY conversation.escalatedAt, conversation.id LIMIT 1
        """
    }

    /// The available, connected agent with the most room: fewest active conversations under their capacity, then
    /// the one whose last automatic assignment came longest ago.
    static func nextAgent(now: String, workspace: String) -> String {
        """
        SELECT agent.*, COALESCE(active.load, 0) AS load FROM agent
        LEFT JOIN (\(activeByAgent(workspace: workspace))) AS active ON active.agentId = agent.id
        WHERE agent.workspaceId = \(workspace) AND agent.status = 'available'
          AND EXISTS (SELECT 1 FROM agentConnection p WHERE p.agentId = agent.id AND p.expiresAt > \(now))
          AND COALESCE(active.load, 0) < agent.capacity
        ORDER BY COALESCE(active.load, 0), COALESCE(agent.lastAssignedAt, 0), agent.id LIMIT 1
        """
    }

    /// Each agent's active conversations: one pass over the workspace's active ones (the index of conversations by
    /// workspace and state), so no index of its own costs every claim and release.
    static func activeByAgent(workspace: String) -> String {
        """
        SELECT claimedByAgentId AS agentId, COUNT(*) AS load FROM conversation
        WHERE workspaceId = \(workspace) AND state = 'Active' GROUP BY claimedByAgentId
        """
    }

    /// Every agent of the workspace: their active conversations and whether an inbox of theirs is open.
    static func loads(now: String, workspace: String) -> String {
        """
        SELECT agent.id, COALESCE(active.load, 0) AS active,
          EXISTS (SELECT 1 FROM agentConnection p WHERE p.agentId = agent.id AND p.expiresAt > \(now)) AS connected
        FROM agent LEFT JOIN (\(activeByAgent(workspace: workspace))) AS active ON active.agentId = agent.id
        WHERE agent.workspaceId = \(workspace)
        """
    }

    static let workspacesAwaiting = """
        SELECT DISTINCT conversation.workspaceId FROM conversation JOIN bot ON bot.id = conversation.botId
        WHERE conversation.state = 'Escalated' AND bot.assignment = 'auto'
        """
}
