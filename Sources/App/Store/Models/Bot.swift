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

extension Bot {
    static func new(workspaceID: String, name: String, humanTakeoverEnabled: Bool) -> Bot {
        let now = Timestamp.now()
        return Bot(
            id: newID(),
            workspaceId: workspaceID,
            name: name,
            humanTakeoverEnabled: humanTakeoverEnabled,
            createdAt: now,
            updatedAt: now
        )
    }
}

extension Bot {
    mutating func change(name: String?, humanTakeoverEnabled: Bool?) {
        if let name { self.name = name }
        if let humanTakeoverEnabled { self.humanTakeoverEnabled = humanTakeoverEnabled }
        updatedAt = .now()
    }
}
