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
}
