import Foundation
import Hummingbird

// The API's view of each record: what clients see, never hashes or internal keys.

extension Page: ResponseEncodable {}

struct WorkspaceResponse: ResponseEncodable, Sendable {
    let id: String
    let name: String
    let monthlyStorageTokenLimit: Int
    let storageTokensUsedThisMonth: Int
    let createdAt: Timestamp
    let updatedAt: Timestamp

    init(_ usage: WorkspaceUsage) {
        id = usage.workspace.id
        name = usage.workspace.name
        monthlyStorageTokenLimit = usage.workspace.monthlyStorageTokenLimit
        storageTokensUsedThisMonth = usage.storageTokensUsedThisMonth
        createdAt = usage.workspace.createdAt
        updatedAt = usage.workspace.updatedAt
    }
}

struct BotResponse: ResponseEncodable, Sendable {
    let id: String
    let name: String
    let humanTakeoverEnabled: Bool
    let createdAt: Timestamp
    let updatedAt: Timestamp

    init(_ bot: Bot) {
        id = bot.id
        name = bot.name
        humanTakeoverEnabled = bot.humanTakeoverEnabled
        createdAt = bot.createdAt
        updatedAt = bot.updatedAt
    }
}

struct AgentResponse: ResponseEncodable, Sendable {
    let id: String
    let name: String
    let email: String
    /// Present only in the answer to the create call: the token is never shown again.
    let token: String?
    let createdAt: Timestamp
    let updatedAt: Timestamp

    init(_ agent: Agent, token: Credential? = nil) {
        id = agent.id
        name = agent.name
        email = agent.email
        self.token = token?.plaintext
        createdAt = agent.createdAt
        updatedAt = agent.updatedAt
    }
}
