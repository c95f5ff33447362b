import Foundation
import GRDB

/// A visitor's conversation with a bot, which an agent can take over.
struct Conversation: AppRecord, Listed {
    var id: String
    var workspaceId: String
    var botId: String
    var state: ConversationState
    var channelType: String
    var initialMessage: String?
    var userEmail: String?
    /// JSON object given by the visitor or integration, stored as sent.
    var userData: Data?
    var claimedByAgentId: String?
    var claimedByName: String?
    var claimedByEmail: String?
    /// SHA-256 of the conversation's `vt_…` token.
    var visitorTokenHash: String
    var escalatedAt: Timestamp?
    var claimedAt: Timestamp?
    var resolvedAt: Timestamp?
    var createdAt: Timestamp
    var updatedAt: Timestamp

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let workspaceId = Column(CodingKeys.workspaceId)
        static let botId = Column(CodingKeys.botId)
        static let state = Column(CodingKeys.state)
        static let claimedByAgentId = Column(CodingKeys.claimedByAgentId)
        static let visitorTokenHash = Column(CodingKeys.visitorTokenHash)
        static let createdAt = Column(CodingKeys.createdAt)
    }
}

extension ConversationState: DatabaseValueConvertible {}

enum MessageRole: String, Codable, Sendable, DatabaseValueConvertible {
    case user, bot, agent
}

/// One message of a transcript. `seq` orders a transcript exactly, whatever the clock says.
struct Message: AppRecord {
    var seq: Int64?
    var id: String
    var conversationId: String
    var role: MessageRole
    var text: String
    var agentId: String?
    var agentName: String?
    /// What a bot reply was drawn from (stored as JSON); nil for other messages.
    var sources: [MessageSource]?
    var createdAt: Timestamp

    enum Columns {
        static let seq = Column(CodingKeys.seq)
        static let conversationId = Column(CodingKeys.conversationId)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        seq = inserted.rowID
    }
}

/// A passage a bot reply was drawn from: its data source and row.
struct MessageSource: Codable, Sendable, Equatable {
    var dataSourceId: String
    var dataSourceName: String
    var rowKey: String
    var title: String?
    var url: String?
}
