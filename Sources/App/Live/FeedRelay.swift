import Logging
import ServiceLifecycle

/// Brings conversation changes and syncs' progress from other instances on the same database to this instance's
/// event streams: an agent watching here sees a visitor who writes through another instance, an owner a sync
/// that runs there.
struct FeedRelay: Service {
    let store: any Store
    let feed: ConversationFeed
    let logger: Logger

    func run() async throws {
        let changes = store.announcements.subscribe()
        let syncs = store.syncAnnouncements.subscribe()
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { for await job in syncs { feed.syncChanged(job) } }
                await relay(changes)
            }
        }
    }

    private func relay(_ changes: AsyncStream<ConversationChange>) async {
        for await change in changes where feed.isWatched(change) {
            if let typing = change.typing {
                feed.typing(typing, workspaceID: change.workspaceId, conversationID: change.conversationId)
                continue
            }
            do {
                try await relay(change)
            } catch {
                logger.warning("Could not relay a conversation change", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Reads what changed and publishes it, as the instance that made the change did.
    private func relay(_ change: ConversationChange) async throws {
        let conversation = try await store.conversation(id: change.conversationId, workspaceID: change.workspaceId)
        if change.stateChanged { feed.changed(conversation) }
        guard !change.messageIds.isEmpty else { return }
        for message in try await store.messages(ids: change.messageIds, conversationID: conversation.id) {
            feed.posted(message, in: conversation)
        }
    }
}

extension FeedRelay: CustomStringConvertible {
    var description: String { "FeedRelay" }
}
