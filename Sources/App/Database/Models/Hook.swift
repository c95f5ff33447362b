import Foundation
import GRDB

/// What a hook listens to (DESIGN.md §5). `sync.trigger` is inbound: a secret URL that starts a sync.
enum HookType: String, Codable, CaseIterable, Sendable, DatabaseValueConvertible {
    case syncTrigger = "sync.trigger"
    case syncSuccess = "sync.success"
    case syncFailure = "sync.failure"
    case conversationStarted = "conversation.started"
    case conversationEscalated = "conversation.escalated"
    case conversationClaimed = "conversation.claimed"
    case conversationReleased = "conversation.released"
    /// Every user, bot and agent message (beyond the reference: for CRMs and analytics).
    case conversationMessage = "conversation.message"

    /// Outbound hooks POST to a target; the trigger hook has none.
    var hasTarget: Bool { self != .syncTrigger }
}

/// A bot's hook. The secret is kept as given: it is sent in `X-Secret-Key` and keys the signature.
struct Hook: AppRecord, Listed {
    var id: String
    var workspaceId: String
    var botId: String
    var type: HookType
    var targetUrl: String?
    var dataSourceId: String?
    var secret: String
    var enabled: Bool
    var disabledReason: String?
    var lastError: String?
    var consecutiveFailures: Int
    var createdAt: Timestamp
    var updatedAt: Timestamp

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let workspaceId = Column(CodingKeys.workspaceId)
        static let botId = Column(CodingKeys.botId)
        static let type = Column(CodingKeys.type)
        static let enabled = Column(CodingKeys.enabled)
        static let dataSourceId = Column(CodingKeys.dataSourceId)
    }
}
