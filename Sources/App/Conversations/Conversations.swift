import Foundation

/// Every change to a conversation, each done once: the bot's answer where it has one, the store's transaction
/// (which announces the change to other instances as it commits), then the metrics and the live feed here.
/// Controllers parse requests and shape answers around it.
struct Conversations: Sendable {
    let store: any Store
    let metrics: ConversationMetrics
    let feed: ConversationFeed
    let responder: BotResponder
    /// The time deadlines are set by (and fired on).
    let clock: any TimerClock
    /// Wakes this instance's timer worker when a change starts or moves a deadline.
    let timersChanged: WakeUpSignal

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
            userData: userData,
            at: clock.now()
        )
        metrics.transitioned(.escalate)
        feed.changed(escalated)
        if escalated.expiresAt != nil || escalated.slaDueAt != nil { timersChanged.notify() }
        return escalated
    }

    func claim(id: String, agentID: String, workspaceID: String) async throws -> Conversation {
        let claimed = try await store.claim(
            conversationID: id,
            agentID: agentID,
            workspaceID: workspaceID,
            at: clock.now()
        )
        metrics.transitioned(.claim)
        if let escalatedAt = claimed.escalatedAt, let claimedAt = claimed.claimedAt {
            metrics.claimed(afterWaiting: claimedAt.millisecondsSince1970 - escalatedAt.millisecondsSince1970)
        }
        feed.changed(claimed)
        if claimed.idleReleaseAt != nil { timersChanged.notify() }
        return claimed
    }

    func release(id: String, by actor: ConversationActor, workspaceID: String) async throws -> Conversation {
        let released = try await store.release(conversationID: id, by: actor, workspaceID: workspaceID)
        metrics.transitioned(.release)
        feed.changed(released)
        return released
    }

    func transfer(
        id: String,
        toAgentID: String,
        by actor: ConversationActor,
        workspaceID: String
    ) async throws -> Conversation {
        let (transferred, _) = try await store.transfer(
            conversationID: id,
            toAgentID: toAgentID,
            by: actor,
            workspaceID: workspaceID,
            at: clock.now()
        )
        metrics.transitioned(.transfer)
        feed.changed(transferred)
        if transferred.idleReleaseAt != nil { timersChanged.notify() }
        return transferred
    }

    func rate(_ conversation: Conversation, score: Int, comment: String?) async throws -> Conversation {
        let rated = try await store.rate(conversationID: conversation.id, score: score, comment: comment)
        metrics.rated(score: score)
        feed.changed(rated)
        return rated
    }

    /// Fires every timer due at `now`, each in its own transaction; answers how many fired here (another instance
    /// may fire some of them first).
    @discardableResult
    func fireDueTimers(at now: Timestamp, batch: Int = 100) async throws -> Int {
        var fired = 0
        while true {
            let due = try await store.dueHandoffTimers(now: now, limit: batch)
            var firedInBatch = 0
            for id in due {
                // A conversation can have two timers due (an SLA, then its expiry): each fires in turn.
                while let (timer, conversation, message) = try await store.fireHandoffTimer(
                    conversationID: id,
                    now: now
                ) {
                    firedInBatch += 1
                    metrics.fired(timer.timer)
                    if let transition = timer.timer.transition { metrics.transitioned(transition) }
                    feed.changed(conversation)
                    if let message { feed.posted(message, in: conversation) }
                }
            }
            fired += firedInBatch
            // Fewer than a batch: that was all. A batch that fired nothing was all fired elsewhere meanwhile.
            if due.count < batch || firedInBatch == 0 { return fired }
        }
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
        let posted = try await store.postVisitorMessage(
            conversationID: conversation.id,
            text: text,
            reply: reply,
            at: clock.now()
        )
        feed.posted(posted.message, in: conversation)
        if let answer = posted.reply { feed.posted(answer, in: conversation) }
        return posted
    }

    /// The claiming agent's message (`403` for any other agent, `409` unless the conversation is active).
    func postAgentMessage(_ text: String, in conversation: Conversation, by agentID: String) async throws -> Message {
        let (message, firstReplyAfter) = try await store.postAgentMessage(
            conversationID: conversation.id,
            agentID: agentID,
            workspaceID: conversation.workspaceId,
            text: text,
            at: clock.now()
        )
        if let firstReplyAfter { metrics.firstAgentReply(afterWaiting: firstReplyAfter) }
        feed.posted(message, in: conversation)
        return message
    }
}
