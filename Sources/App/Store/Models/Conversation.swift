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
    /// How many events the conversation has had: each transition and message is the next one, and its hook
    /// payloads carry that number as `sequence`.
    var eventSequence: Int
    var createdAt: Timestamp
    var updatedAt: Timestamp

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let eventSequence = Column(CodingKeys.eventSequence)
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

extension Conversation {
    /// A new conversation of `bot`, in state `Bot`.
    static func started(_ new: NewConversation, bot: Bot, token: Credential, at now: Timestamp) -> Conversation {
        Conversation(
            id: newID(),
            workspaceId: bot.workspaceId,
            botId: bot.id,
            state: .bot,
            channelType: new.channelType,
            initialMessage: new.initialMessage,
            userEmail: nil,
            userData: new.userData,
            claimedByAgentId: nil,
            claimedByName: nil,
            claimedByEmail: nil,
            visitorTokenHash: token.hash,
            escalatedAt: nil,
            claimedAt: nil,
            resolvedAt: nil,
            eventSequence: 1,  // `conversation.started`
            createdAt: now,
            updatedAt: now
        )
    }

    /// "Talk to a human", once `ConversationState.checkEscalation` allowed it.
    mutating func escalate(userEmail: String, userData: Data?) throws(AppError) {
        let now = Timestamp.now()
        state = try state.applying(.escalate)
        self.userEmail = userEmail
        if let userData { self.userData = userData }
        escalatedAt = now
        eventSequence += 1
        claimedByAgentId = nil
        claimedByName = nil
        claimedByEmail = nil
        updatedAt = now
    }

    /// Back to the bot: only from `Active`, by the claiming agent or an owner.
    mutating func release(by actor: ConversationActor) throws(AppError) {
        let target = try state.applying(.release)
        try ConversationState.checkRelease(by: actor, claimedBy: claimedByAgentId)
        let now = Timestamp.now()
        state = target
        resolvedAt = now
        eventSequence += 1
        updatedAt = now
    }

    /// Where the latest event stands among the conversation's events.
    var latestEvent: EventPosition { EventPosition(conversationID: id, sequence: eventSequence) }

    /// A refused claim says who has the conversation, if anyone.
    func claimRefusal(_ refusal: AppError) -> AppError {
        guard let name = claimedByName, let id = claimedByAgentId else { return refusal }
        return refusal.adding(
            message: "\(name) has it.",
            details: ["claimedBy": .object(["id": .string(id), "name": .string(name)])]
        )
    }
}

extension Message {
    /// A new message of `conversation`; its `seq` comes from the store.
    init(
        in conversation: Conversation,
        role: MessageRole,
        text: String,
        agent: Agent? = nil,
        sources: [MessageSource]? = nil,
        at time: Timestamp
    ) {
        self.init(
            seq: nil,
            id: newID(),
            conversationId: conversation.id,
            role: role,
            text: text,
            agentId: agent?.id,
            agentName: agent?.name,
            sources: sources,
            createdAt: time
        )
    }
}
