import Foundation

/// What a PostgreSQL transaction leaves for others, gathered while it runs and sent at its end
/// (`PostgresStore.send`): the hook events it fired and the conversation change it announces to other instances.
struct Outbox {
    struct Event {
        let type: HookType
        let botID: String
        let dataSourceID: String?
        /// A conversation event's place among its conversation's events.
        let position: EventPosition?
        /// Encoded only if some hook listens.
        let payload: () throws -> Data
    }

    private(set) var events: [Event] = []
    private(set) var change: ConversationChange?

    mutating func fire(
        _ type: HookType,
        botID: String,
        dataSourceID: String? = nil,
        position: EventPosition? = nil,
        payload: @escaping () throws -> Data
    ) {
        events.append(
            Event(type: type, botID: botID, dataSourceID: dataSourceID, position: position, payload: payload)
        )
    }

    /// Tells the other instances' live streams about the change when the transaction commits.
    mutating func announce(_ change: ConversationChange) {
        self.change = change
    }
}
