import Foundation
import PostgresNIO

// MARK: Agents' status, load and presence; automatic assignment

extension PostgresStore {
    func updateAgent(id: String, workspaceID: String, _ changes: AgentChanges) async throws -> Agent {
        try await write { connection in
            guard
                var agent = try await connection.one(
                    Agent.self,
                    "SELECT * FROM agent WHERE id = \(id) AND workspaceId = \(workspaceID) FOR NO KEY UPDATE"
                )
            else { throw AppError.notFound("Agent") }
            agent.change(changes)
            try await connection.update(agent)
            return agent
        }
    }

    func agentLoads(workspaceID: String) async throws -> [String: AgentLoad] {
        try await read { connection in
            var binds = PostgresBindings()
            try binds.append(Timestamp.now())
            binds.append(workspaceID)
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: AssignmentQueries.loads(now: "$1", workspace: "$2"), binds: binds),
                logger: PostgresConnection.quiet
            )
            var loads: [String: AgentLoad] = [:]
            for try await (id, active, connected) in rows.decode((String, Int, Bool).self) {
                loads[id] = AgentLoad(activeConversations: active, connected: connected)
            }
            return loads
        }
    }

    func setAgentConnections(instanceID: String, agentIDs: Set<String>, until: Timestamp) async throws {
        try await write { connection in
            let agents = Array(agentIDs)
            try await connection.run(
                "DELETE FROM agentConnection WHERE instanceId = \(instanceID) AND NOT agentId = ANY(\(agents))"
            )
            // An agent deleted meanwhile has no presence to keep.
            try await connection.run(
                """
                INSERT INTO agentConnection (agentId, instanceId, expiresAt)
                SELECT id, \(instanceID), \(until) FROM agent WHERE id = ANY(\(agents))
                ON CONFLICT (agentId, instanceId) DO UPDATE SET expiresAt = EXCLUDED.expiresAt
                """
            )
        }
    }

    /// Under a lock of the workspace's assignments (any instance), so two assignments never both count an agent's
    /// last free slot.
    func assignNext(workspaceID: String, now: Timestamp) async throws -> (conversation: Conversation, agent: Agent)? {
        // Most calls find nothing waiting (a bot whose agents claim, a quiet queue): a read says so without the
        // workspace's lock.
        var workspace = PostgresBindings()
        workspace.append(workspaceID)
        let query = PostgresQuery(unsafeSQL: AssignmentQueries.oldestWaiting(workspace: "$1"), binds: workspace)
        guard try await read({ connection in try await connection.one(Conversation.self, query) }) != nil else {
            return nil
        }
        return try await write { connection in
            try await connection.run(
                "SELECT pg_advisory_xact_lock(\(Self.assignmentLock), hashtext(\(workspaceID)))"
            )
            var binds = PostgresBindings()
            try binds.append(Timestamp.now())
            binds.append(workspaceID)
            guard
                let waiting = try await connection.one(Conversation.self, query),
                let agent = try await connection.one(
                    Agent.self,
                    PostgresQuery(unsafeSQL: AssignmentQueries.nextAgent(now: "$1", workspace: "$2"), binds: binds)
                )
            else { return nil }
            return (try await applyClaim(of: waiting, by: agent, at: now, assigned: true, connection), agent)
        }
    }

    func workspacesAwaitingAssignment() async throws -> [String] {
        try await read { connection in
            var workspaces: [String] = []
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: AssignmentQueries.workspacesAwaiting),
                logger: PostgresConnection.quiet
            )
            for try await id in rows.decode(String.self) { workspaces.append(id) }
            return workspaces
        }
    }

    /// The advisory lock class of assignments (the workspace's hash is the other half of the key).
    static let assignmentLock: Int32 = 0x5357_4153  // "SWAS"
}
