import Foundation
import GRDB

// MARK: Agents

extension SQLiteStore {
    func createAgent(workspaceID: String, name: String, email: String) async throws -> (Agent, Credential) {
        let token = Credential.generate(.agentToken)
        let agent = Agent.new(workspaceID: workspaceID, name: name, email: email, token: token)
        try await pool.write { db in try agent.insert(db) }
        return (agent, token)
    }

    func agents(workspaceID: String, page: PageRequest) async throws -> Page<Agent> {
        try await pool.read { db in
            try Self.page(Agent.filter(Agent.Columns.workspaceId == workspaceID), page, db)
        }
    }

    func agent(id: String, workspaceID: String) async throws -> Agent {
        try await pool.read { db in
            guard
                let agent = try Agent.filter(Agent.Columns.workspaceId == workspaceID && Agent.Columns.id == id)
                    .fetchOne(db)
            else { throw AppError.notFound("Agent") }
            return agent
        }
    }

    func deleteAgent(id: String, workspaceID: String) async throws {
        try await pool.write { db in
            let deleted = try Agent.filter(Agent.Columns.workspaceId == workspaceID && Agent.Columns.id == id)
                .deleteAll(db)
            if deleted == 0 { throw AppError.notFound("Agent") }
        }
    }

    func updateAgent(id: String, workspaceID: String, _ changes: AgentChanges) async throws -> Agent {
        try await pool.write { db in
            guard
                var agent = try Agent.filter(Agent.Columns.workspaceId == workspaceID && Agent.Columns.id == id)
                    .fetchOne(db)
            else { throw AppError.notFound("Agent") }
            agent.change(changes)
            try agent.update(db)
            return agent
        }
    }

    func agentLoads(workspaceID: String) async throws -> [String: AgentLoad] {
        try await pool.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: AssignmentQueries.loads(now: "?1", workspace: "?2"),
                arguments: [Timestamp.now(), workspaceID]
            )
            return Dictionary(
                uniqueKeysWithValues: rows.map { row in
                    (row["id"] as String, AgentLoad(activeConversations: row["active"], connected: row["connected"]))
                }
            )
        }
    }

    func setAgentConnections(instanceID: String, agentIDs: Set<String>, until: Timestamp) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM agentConnection WHERE instanceId = ?", arguments: [instanceID])
            for agentID in agentIDs {
                // An agent deleted meanwhile has no presence to keep.
                try db.execute(
                    sql: """
                        INSERT INTO agentConnection (agentId, instanceId, expiresAt)
                        SELECT id, ?, ? FROM agent WHERE id = ?
                        """,
                    arguments: [instanceID, until, agentID]
                )
            }
        }
    }
}
