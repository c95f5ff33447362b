import Foundation
import GRDB

/// A person who takes over conversations; their token `ak_…` is kept only as its SHA-256.
struct Agent: AppRecord {
    var id: String
    var workspaceId: String
    var name: String
    var email: String
    var tokenHash: String
    var status: AgentStatus
    /// Active conversations automatic assignment gives this agent at most.
    var capacity: Int
    /// The last time automatic assignment gave the agent a conversation: of agents equally loaded, the one whose
    /// last is oldest gets the next. (A claim by hand counts in the agent's load, and costs no write here.)
    var lastAssignedAt: Timestamp?
    var createdAt: Timestamp
    var updatedAt: Timestamp

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let workspaceId = Column(CodingKeys.workspaceId)
        static let tokenHash = Column(CodingKeys.tokenHash)
        static let createdAt = Column(CodingKeys.createdAt)
    }
}

extension Agent {
    static func new(workspaceID: String, name: String, email: String, token: Credential) -> Agent {
        let now = Timestamp.now()
        return Agent(
            id: newID(),
            workspaceId: workspaceID,
            name: name,
            email: email,
            tokenHash: token.hash,
            status: .available,
            capacity: AgentCapacity.standard,
            lastAssignedAt: nil,
            createdAt: now,
            updatedAt: now
        )
    }
}

extension Agent {
    mutating func change(_ changes: AgentChanges) {
        if let name = changes.name { self.name = name }
        if let capacity = changes.capacity { self.capacity = capacity }
        if let status = changes.status { self.status = status }
        updatedAt = .now()
    }

    /// Who an agent is, as payloads name them.
    struct Contact: Sendable, Equatable {
        let name: String
        let email: String
    }
}

/// What a change to an agent sets: an owner the name and capacity, the agent their status.
struct AgentChanges: Sendable {
    var name: String?
    var capacity: Int?
    var status: AgentStatus?
}

extension AgentStatus: DatabaseValueConvertible {}
