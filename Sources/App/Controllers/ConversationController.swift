import Hummingbird

/// `/api/v1/conversations`: the agents' queue and transcripts, claim, reply and release; and an owner's
/// integration starting conversations on other channels (`POST /api/v1/bots/{botId}/conversations`).
struct ConversationController {
    let database: AppDatabase
    let metrics: ConversationMetrics
    let feed: ConversationFeed
    let responder: BotResponder

    var integrationEndpoint: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).post(use: start)
    }

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get(use: list)
            .get("{conversationId}", use: get)
            .get("{conversationId}/messages", use: messages)
            .post("{conversationId}/claim", use: claim)
            .post("{conversationId}/messages", use: reply)
            .post("{conversationId}/release", use: release)
    }

    @Sendable func start(
        _ request: Request,
        context: AppRequestContext
    ) async throws
        -> EditedResponse<ConversationResponse>
    {
        let workspaceID = try context.requireOwner()
        let botID = try context.parameters.require("botId")
        _ = try await database.bot(id: botID, workspaceID: workspaceID)
        let body = try await request.decodeJSON(as: ConversationRequests.StartBody.self, context: context)
        guard body.channelType != nil else { throw AppError.invalidField("channelType", "channelType is required.") }
        let new = try ConversationRequests.newConversation(body, requiredChannel: nil)
        let reply = try await responder.reply(opening: new, botID: botID, workspaceID: workspaceID)
        let started = try await database.startConversation(botID: botID, workspaceID: workspaceID, new, reply: reply)
        metrics.transitioned(.start)
        feed.started(started.conversation, with: started.messages)
        return EditedResponse(
            status: .created,
            response: ConversationResponse(
                conversation: started.conversation,
                audience: .staff,
                visitorToken: started.token.plaintext
            )
        )
    }

    /// The queue: oldest first, by state and bot.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<ConversationResponse> {
        let (workspaceID, _) = try context.requireOwnerOrAgent()
        let state: ConversationState? = try request.queryChoice("state")
        let botID = request.uri.queryParameters["botId"].map(String.init)
        return try await database.conversations(
            workspaceID: workspaceID,
            state: state,
            botID: botID,
            page: request.pageRequest()
        ).map { ConversationResponse(conversation: $0, audience: .staff) }
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> ConversationResponse {
        let (workspaceID, _) = try context.requireOwnerOrAgent()
        return ConversationResponse(
            conversation: try await database.conversation(
                id: try context.parameters.require("conversationId"),
                workspaceID: workspaceID
            ),
            audience: .staff
        )
    }

    @Sendable func messages(_ request: Request, context: AppRequestContext) async throws -> Page<MessageResponse> {
        let (workspaceID, _) = try context.requireOwnerOrAgent()
        let page = try ConversationRequests.transcriptPage(request)
        let (messages, next) = try await database.messages(
            conversationID: try context.parameters.require("conversationId"),
            workspaceID: workspaceID,
            after: page.after,
            limit: page.limit
        )
        return ConversationRequests.transcript(messages, next: next, for: .staff)
    }

    @Sendable func claim(_ request: Request, context: AppRequestContext) async throws -> ConversationResponse {
        let (workspaceID, agentID) = try context.requireAgent()
        let conversation = try await database.claim(
            conversationID: try context.parameters.require("conversationId"),
            agentID: agentID,
            workspaceID: workspaceID
        )
        metrics.transitioned(.claim)
        feed.changed(conversation)
        if let escalatedAt = conversation.escalatedAt, let claimedAt = conversation.claimedAt {
            metrics.claimed(afterWaiting: claimedAt.millisecondsSince1970 - escalatedAt.millisecondsSince1970)
        }
        return ConversationResponse(conversation: conversation, audience: .staff)
    }

    @Sendable func reply(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<MessageResponse>
    {
        let (workspaceID, agentID) = try context.requireAgent()
        let id = try context.parameters.require("conversationId")
        let conversation = try await database.conversation(id: id, workspaceID: workspaceID)
        let body = try await request.decodeJSON(as: ConversationRequests.MessageBody.self, context: context)
        let message = try await database.postAgentMessage(
            conversationID: id,
            agentID: agentID,
            workspaceID: workspaceID,
            text: try ConversationRequests.text(body.text)
        )
        feed.posted(message, in: conversation)
        return EditedResponse(status: .created, response: MessageResponse(message: message, audience: .staff))
    }

    @Sendable func release(_ request: Request, context: AppRequestContext) async throws -> ConversationResponse {
        let (workspaceID, actor) = try context.requireOwnerOrAgent()
        let conversation = try await database.release(
            conversationID: try context.parameters.require("conversationId"),
            by: actor,
            workspaceID: workspaceID
        )
        metrics.transitioned(.release)
        feed.changed(conversation)
        return ConversationResponse(conversation: conversation, audience: .staff)
    }
}
