import Foundation
import GRDB

/// A person who takes over conversations; their token `ak_…` is kept only as its SHA-256.
struct Agent: AppRecord {
    var id: String
    var workspaceId: String
    var name: String
    var email: String
    var tokenHash: String
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
            createdAt: now,
            updatedAt: now
        )
    }
}

extension Agent {
    /// Who an agent is, as payloads name them.
    struct Contact: Sendable, Equatable {
        let name: String
        let email: String
    }
}
