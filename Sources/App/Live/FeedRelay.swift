import Logging
import ServiceLifecycle

/// Brings conversation changes made through other instances on the same database to this instance's event
/// streams: an agent watching here sees a visitor who writes through another instance.
struct FeedRelay: Service {
    let store: any Store
    let feed: ConversationFeed
    let logger: Logger

    func run() async throws {
        let changes = store.announcements.subscribe()
        await cancelWhenGracefulShutdown {
            for await change in changes where feed.isWatched(change) {
                do {
                    try await relay(change)
                } catch {
                    logger.warning("Could not relay a conversation change", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// Reads what changed and publishes it, as the instance that made the change did.
    private func relay(_ change: ConversationChange) async throws {
        let conversation = try await store.conversation(id: change.conversationId, workspaceID: change.workspaceId)
        if change.stateChanged { feed.changed(conversation) }
        guard let first = change.messageSeqs.min() else { return }
        let (messages, _) = try await store.messages(
            conversationID: conversation.id,
            workspaceID: conversation.workspaceId,
            after: first - 1,
            limit: change.messageSeqs.count
        )
        for message in messages where change.messageSeqs.contains(message.seq ?? -1) {
            feed.posted(message, in: conversation)
        }
    }
}

extension FeedRelay: CustomStringConvertible {
    var description: String { "FeedRelay" }
}
