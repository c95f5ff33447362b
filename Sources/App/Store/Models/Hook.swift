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
