import Foundation
import GRDB

struct Bot: AppRecord {
    var id: String
    var workspaceId: String
    var name: String
    var humanTakeoverEnabled: Bool
    var assignment: AssignmentMode
    var escalationTimeoutSeconds: Int?
    var escalationExpiredMessage: String?
    var idleReleaseSeconds: Int?
    var firstResponseSlaSeconds: Int?
    var createdAt: Timestamp
    var updatedAt: Timestamp

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let workspaceId = Column(CodingKeys.workspaceId)
        static let createdAt = Column(CodingKeys.createdAt)
    }
}

extension Bot {
    static func new(workspaceID: String, name: String, humanTakeoverEnabled: Bool, handoff: HandoffSettings) -> Bot {
        let now = Timestamp.now()
        return Bot(
            id: newID(),
            workspaceId: workspaceID,
            name: name,
            humanTakeoverEnabled: humanTakeoverEnabled,
            assignment: handoff.assignment,
            escalationTimeoutSeconds: handoff.escalationTimeoutSeconds,
            escalationExpiredMessage: handoff.escalationExpiredMessage,
            idleReleaseSeconds: handoff.idleReleaseSeconds,
            firstResponseSlaSeconds: handoff.firstResponseSlaSeconds,
            createdAt: now,
            updatedAt: now
        )
    }
}

extension Bot {
    mutating func change(_ changes: BotChanges) {
        if let name = changes.name { self.name = name }
        if let humanTakeoverEnabled = changes.humanTakeoverEnabled { self.humanTakeoverEnabled = humanTakeoverEnabled }
        if let handoff = changes.handoff { self.handoff = handoff }
        updatedAt = .now()
    }

    /// The handoff timers, as one value.
    var handoff: HandoffSettings {
        get {
            HandoffSettings(
                assignment: assignment,
                escalationTimeoutSeconds: escalationTimeoutSeconds,
                escalationExpiredMessage: escalationExpiredMessage,
                idleReleaseSeconds: idleReleaseSeconds,
                firstResponseSlaSeconds: firstResponseSlaSeconds
            )
        }
        set {
            assignment = newValue.assignment
            escalationTimeoutSeconds = newValue.escalationTimeoutSeconds
            escalationExpiredMessage = newValue.escalationExpiredMessage
            idleReleaseSeconds = newValue.idleReleaseSeconds
            firstResponseSlaSeconds = newValue.firstResponseSlaSeconds
        }
    }
}

/// What an owner's `PATCH` of a bot changes; nil leaves a field as it is.
struct BotChanges: Sendable {
    var name: String?
    var humanTakeoverEnabled: Bool?
    /// The bot's handoff timers after the change (the controller merges the fields sent into the current ones).
    var handoff: HandoffSettings?
}

extension AssignmentMode: DatabaseValueConvertible {}
