import Foundation
import GRDB

struct Bot: AppRecord {
    var id: String
    var workspaceId: String
    var name: String
    var humanTakeoverEnabled: Bool
    var createdAt: Timestamp
    var updatedAt: Timestamp

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let workspaceId = Column(CodingKeys.workspaceId)
        static let createdAt = Column(CodingKeys.createdAt)
    }
}
