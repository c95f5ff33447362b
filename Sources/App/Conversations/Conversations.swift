import Foundation
import Logging

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
    let logger: Logger
    let typingLimit = RateLimiter(capacity: 5, per: .seconds(5))

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

    /// "Talk to a human"; with automatic assignment, the conversation may be an agent's (`Active`) at once.
    func escalate(_ conversation: Conversation, userEmail: String, userData: Data?) async throws -> Conversation {
        let escalated = try await store.escalate(
            conversationID: conversation.id,
            userEmail: userEmail,
            userData: userData,
            clock: clock
        )
        metrics.transitioned(.escalate)
        feed.changed(escalated)
        if escalated.expiresAt != nil || escalated.slaDueAt != nil { timersChanged.notify() }
        let assigned = await assignWaiting(workspaceID: escalated.workspaceId, limit: 1)
        return assigned.first { $0.id == escalated.id } ?? escalated
    }

    func claim(id: String, agentID: String, workspaceID: String) async throws -> Conversation {
        let claimed = try await store.claim(
            conversationID: id,
            agentID: agentID,
            workspaceID: workspaceID,
            clock: clock
        )
        took(claimed)
        return claimed
    }

    /// Hands the workspace's waiting escalations (of bots with automatic assignment) to agents with room, oldest
    /// first, while there are both, at most `limit`; answers the conversations assigned. Called whenever an
    /// escalation arrives or an agent may have room (a release, a transfer, a status change, an inbox connecting),
    /// and by the timer worker as a safety net. A change that frees or adds one place can assign one conversation
    /// at most (nothing assignable waited before it), so it asks for one and spares a transaction. A failure is
    /// logged: the next of those tries again.
    @discardableResult
    func assignWaiting(workspaceID: String, limit: Int = .max) async -> [Conversation] {
        var assigned: [Conversation] = []
        var racesLost = 0
        while racesLost < 10, assigned.count < limit {
            do {
                guard let (conversation, _) = try await store.assignNext(workspaceID: workspaceID, now: clock.now())
                else { break }
                took(conversation)
                assigned.append(conversation)
            } catch let error as AppError where error.status == .conflict {
                racesLost += 1  // an agent claimed it by hand meanwhile: on to the next
            } catch {
                logger.error("Automatic assignment failed", metadata: ["error": "\(error)"])
                break
            }
        }
        return assigned
    }

    /// After a claim or an assignment: one metric, one event, one timer.
    private func took(_ claimed: Conversation) {
        metrics.transitioned(.claim)
        if let escalatedAt = claimed.escalatedAt, let claimedAt = claimed.claimedAt {
            metrics.claimed(afterWaiting: claimedAt.millisecondsSince1970 - escalatedAt.millisecondsSince1970)
        }
        feed.changed(claimed)
        if claimed.idleReleaseAt != nil { timersChanged.notify() }
    }

    func release(id: String, by actor: ConversationActor, workspaceID: String) async throws -> Conversation {
        let released = try await store.release(conversationID: id, by: actor, workspaceID: workspaceID)
        metrics.transitioned(.release)
        feed.changed(released)
        await assignWaiting(workspaceID: released.workspaceId, limit: 1)
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
            clock: clock
        )
        metrics.transitioned(.transfer)
        feed.changed(transferred)
        if transferred.idleReleaseAt != nil { timersChanged.notify() }
        await assignWaiting(workspaceID: transferred.workspaceId, limit: 1)
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
                    if timer.timer == .idleRelease {
                        await assignWaiting(workspaceID: conversation.workspaceId, limit: 1)
                    }
                }
            }
            fired += firedInBatch
            // Fewer than a batch: that was all. A batch that fired nothing was all fired elsewhere meanwhile.
            if due.count < batch || firedInBatch == 0 { return fired }
        }
    }

    /// A typing indicator from a visitor or an agent: at most `typingLimit` of one role in one conversation per
    /// five seconds (429 past it), since each goes to every stream watching.
    func indicateTyping(_ typing: Typing, in conversation: Conversation) async throws {
        if let retryAfter = typingLimit.spend("\(conversation.id):\(typing.role.rawValue)") {
            throw AppError.rateLimited(retryAfter: retryAfter, scope: "typing")
        }
        await self.typing(typing, in: conversation)
    }

    /// Tells every stream watching the conversation, on every instance, that someone types or stopped.
    func typing(_ typing: Typing, in conversation: Conversation) async {
        feed.typing(typing, workspaceID: conversation.workspaceId, conversationID: conversation.id)
        var change = conversation.change()
        change.typing = typing
        do {
            try await store.announce(change)
        } catch {
            logger.warning("Could not announce typing", metadata: ["error": "\(error)"])
        }
    }

    /// The visitor's message, and the bot's answer while the bot has the conversation (while a language model
    /// drafts it, the streams show the bot typing).
    func postVisitorMessage(
        _ text: String,
        in conversation: Conversation
    ) async throws
        -> (message: Message, reply: Message?)
    {
        var reply: BotReply?
        if conversation.state.botAnswers {
            let drafts = responder.generator != nil
            if drafts { await typing(Typing(role: .bot, typing: true), in: conversation) }
            do {
                reply = try await responder.reply(
                    to: text,
                    botID: conversation.botId,
                    workspaceID: conversation.workspaceId,
                    channelType: conversation.channelType
                )
            } catch {
                if drafts { await typing(Typing(role: .bot, typing: false), in: conversation) }
                throw error
            }
            if drafts { await typing(Typing(role: .bot, typing: false), in: conversation) }
        }
        let posted = try await store.postVisitorMessage(
            conversationID: conversation.id,
            text: text,
            reply: reply,
            clock: clock
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
            clock: clock
        )
        if let firstReplyAfter { metrics.firstAgentReply(afterWaiting: firstReplyAfter) }
        feed.posted(message, in: conversation)
        return message
    }
}
