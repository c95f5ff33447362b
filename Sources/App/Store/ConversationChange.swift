import Foundation
import Synchronization

/// What changed in a conversation, as one instance tells the others on the same database so their live streams
/// see it too. It names the rows; a receiver reads them from the store.
struct ConversationChange: Codable, Sendable, Equatable {
    let workspaceId: String
    let conversationId: String
    /// The conversation started or changed state.
    var stateChanged = false
    /// The messages posted, by id, in order.
    var messageIds: [String] = []
    /// Someone started or stopped typing (never stored: it travels in the announcement itself).
    var typing: Typing?
}

/// A typing indicator: who (the visitor, the bot drafting a reply, or an agent by name) and whether they type.
struct Typing: Codable, Sendable, Equatable {
    let role: MessageRole
    var name: String?
    let typing: Bool
}

extension Conversation {
    /// This conversation's change: its state, or `messages` posted.
    func change(stateChanged: Bool = false, messages: [Message] = []) -> ConversationChange {
        ConversationChange(
            workspaceId: workspaceId,
            conversationId: id,
            stateChanged: stateChanged,
            messageIds: messages.map(\.id)
        )
    }
}

/// What other instances announced — conversation changes, syncs' progress — in the order it came, for this
/// instance's live feed. With one instance (SQLite) nothing ever comes.
final class Announcements<Change: Sendable>: Sendable {
    private let subscribers = Mutex<[UUID: AsyncStream<Change>.Continuation]>([:])

    /// The changes from now on, until the stream is dropped. One that falls 4,096 behind drops the oldest: a
    /// stream that misses a change catches up when it reloads.
    func subscribe() -> AsyncStream<Change> {
        let id = UUID()
        let (changes, continuation) = AsyncStream.makeStream(
            of: Change.self,
            bufferingPolicy: .bufferingNewest(4096)
        )
        continuation.onTermination = { [weak self] _ in _ = self?.subscribers.withLock { $0.removeValue(forKey: id) } }
        subscribers.withLock { $0[id] = continuation }
        return changes
    }

    func deliver(_ change: Change) {
        for continuation in subscribers.withLock({ Array($0.values) }) { continuation.yield(change) }
    }
}
