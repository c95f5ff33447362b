import Foundation
import GRDB

extension HookType: DatabaseValueConvertible {}

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

extension Hook {
    static func new(_ new: NewHook, botID: String, workspaceID: String) -> Hook {
        let now = Timestamp.now()
        return Hook(
            id: newID(),
            workspaceId: workspaceID,
            botId: botID,
            type: new.type,
            targetUrl: new.targetUrl,
            dataSourceId: new.dataSourceId,
            secret: new.secret,
            enabled: new.enabled,
            disabledReason: nil,
            lastError: nil,
            consecutiveFailures: 0,
            createdAt: now,
            updatedAt: now
        )
    }

    /// Applies `changes`; answers whether the hook was enabled again, which resumes its paused deliveries and
    /// clears why it was disabled and its failure count.
    @discardableResult
    mutating func apply(_ changes: HookChanges) -> Bool {
        if let targetUrl = changes.targetUrl { self.targetUrl = targetUrl }
        if let dataSourceId = changes.dataSourceId { self.dataSourceId = dataSourceId }
        if let secret = changes.secret { self.secret = secret }
        var reenabled = false
        if let enabled = changes.enabled, enabled != self.enabled {
            self.enabled = enabled
            if enabled {
                disabledReason = nil
                consecutiveFailures = 0
                reenabled = true
            } else {
                disabledReason = "Disabled by the owner."
            }
        }
        updatedAt = .now()
        return reenabled
    }
}
