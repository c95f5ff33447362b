import Foundation

/// Every change to a conversation, each done once: the bot's answer where it has one, the store's transaction
/// (which announces the change to other instances as it commits), then the metrics and the live feed here.
/// Controllers parse requests and shape answers around it.
struct Conversations: Sendable {
    let store: any Store
    let metrics: ConversationMetrics
    let feed: ConversationFeed
    let responder: BotResponder

    /// Starts a conversation with the bot's answer to its opening message. `workspaceID` is the owner's, or
    /// `nil` for the public widget.
    func start(
        botID: String,
        workspaceID: String?,
        _ new: NewConversation
    ) async throws
        -> (conversation: Conversation, token: Credential, messages: [Message])
    {
        let (bot, reply) = try await responder.opening(new, botID: botID, workspaceID: workspaceID)
        let started = try await store.startConversation(bot: bot, new, reply: reply)
        metrics.started()
        feed.started(started.conversation, with: started.messages)
        return started
    }

    func escalate(_ conversation: Conversation, userEmail: String, userData: Data?) async throws -> Conversation {
        let escalated = try await store.escalate(
            conversationID: conversation.id,
            userEmail: userEmail,
            userData: userData
        )
        metrics.transitioned(.escalate)
        feed.changed(escalated)
        return escalated
    }

    func claim(id: String, agentID: String, workspaceID: String) async throws -> Conversation {
        let claimed = try await store.claim(conversationID: id, agentID: agentID, workspaceID: workspaceID)
        metrics.transitioned(.claim)
        if let escalatedAt = claimed.escalatedAt, let claimedAt = claimed.claimedAt {
            metrics.claimed(afterWaiting: claimedAt.millisecondsSince1970 - escalatedAt.millisecondsSince1970)
        }
        feed.changed(claimed)
        return claimed
    }

    func release(id: String, by actor: ConversationActor, workspaceID: String) async throws -> Conversation {
        let released = try await store.release(conversationID: id, by: actor, workspaceID: workspaceID)
        metrics.transitioned(.release)
        feed.changed(released)
        return released
    }

    /// The visitor's message, and the bot's answer while the bot has the conversation.
    func postVisitorMessage(
        _ text: String,
        in conversation: Conversation
    ) async throws
        -> (message: Message, reply: Message?)
    {
        let reply =
            conversation.state.botAnswers
            ? try await responder.reply(
                to: text,
                botID: conversation.botId,
                workspaceID: conversation.workspaceId,
                channelType: conversation.channelType
            ) : nil
        let posted = try await store.postVisitorMessage(conversationID: conversation.id, text: text, reply: reply)
        feed.posted(posted.message, in: conversation)
        if let answer = posted.reply { feed.posted(answer, in: conversation) }
        return posted
    }

    /// The claiming agent's message (`403` for any other agent, `409` unless the conversation is active).
    func postAgentMessage(_ text: String, in conversation: Conversation, by agentID: String) async throws -> Message {
        let message = try await store.postAgentMessage(
            conversationID: conversation.id,
            agentID: agentID,
            workspaceID: conversation.workspaceId,
            text: text
        )
        feed.posted(message, in: conversation)
        return message
    }
}
