import Foundation

/// The JSON bodies hooks carry (DESIGN.md §6), encoded once and stored byte for byte in the outbox.
enum HookEvent {
    /// The body of a test send: the envelope of the conversation events, naming the hook.
    static func test(hook: Hook, botName: String, at time: Timestamp) throws -> Data {
        try encode(
            .object([
                "event": .string("test"),
                "timestamp": .string(time.iso8601),
                "hook": .object(["id": .string(hook.id), "type": .string(hook.type.rawValue)]),
                "bot": .object(["id": .string(hook.botId), "name": .string(botName)]),
            ])
        )
    }

    static func encode(_ value: JSONValue) throws -> Data {
        try JSONEncoder.api().encode(value)
    }
}
