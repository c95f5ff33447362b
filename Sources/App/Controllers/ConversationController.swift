import Hummingbird

/// `/api/v1/conversations`: the agents' queue and transcripts, claim, reply and release; and an owner's
/// integration starting conversations on other channels (`POST /api/v1/bots/{botId}/conversations`).
struct ConversationController {
    let store: any Store
    let conversations: Conversations

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
            .post("{conversationId}/transfer", use: transfer)
            .post("{conversationId}/typing", use: typing)
    }

    /// `GET /api/v1/bots/{botId}/ratings` (owner).
    var ratingsEndpoint: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).get(use: ratings)
    }

    @Sendable func start(
        _ request: Request,
        context: AppRequestContext
    ) async throws
        -> EditedResponse<ConversationResponse>
    {
        let workspaceID = try context.requireOwner()
        let botID = try context.parameters.require("botId")
        _ = try await store.bot(id: botID, workspaceID: workspaceID)
        let body = try await request.decodeJSON(as: ConversationRequests.StartBody.self, context: context)
        guard body.channelType != nil else { throw AppError.invalidField("channelType", "channelType is required.") }
        let new = try ConversationRequests.newConversation(body, requiredChannel: nil)
        let started = try await conversations.start(botID: botID, workspaceID: workspaceID, new)
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
        return try await store.conversations(
            workspaceID: workspaceID,
            state: state,
            botID: botID,
            page: request.pageRequest()
        ).map { ConversationResponse(conversation: $0, audience: .staff) }
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> ConversationResponse {
        let (workspaceID, _) = try context.requireOwnerOrAgent()
        return ConversationResponse(
            conversation: try await store.conversation(
                id: try context.parameters.require("conversationId"),
                workspaceID: workspaceID
            ),
            audience: .staff
        )
    }

    @Sendable func messages(_ request: Request, context: AppRequestContext) async throws -> Page<MessageResponse> {
        let (workspaceID, _) = try context.requireOwnerOrAgent()
        let page = try ConversationRequests.transcriptPage(request)
        let (messages, next) = try await store.messages(
            conversationID: try context.parameters.require("conversationId"),
            workspaceID: workspaceID,
            after: page.after,
            limit: page.limit
        )
        return ConversationRequests.transcript(messages, next: next, for: .staff)
    }

    @Sendable func claim(_ request: Request, context: AppRequestContext) async throws -> ConversationResponse {
        let (workspaceID, agentID) = try context.requireAgent()
        let conversation = try await conversations.claim(
            id: try context.parameters.require("conversationId"),
            agentID: agentID,
            workspaceID: workspaceID
        )
        return ConversationResponse(conversation: conversation, audience: .staff)
    }

    @Sendable func reply(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<MessageResponse>
    {
        let (workspaceID, agentID) = try context.requireAgent()
        let id = try context.parameters.require("conversationId")
        let conversation = try await store.conversation(id: id, workspaceID: workspaceID)
        let body = try await request.decodeJSON(as: ConversationRequests.MessageBody.self, context: context)
        let message = try await conversations.postAgentMessage(
            try ConversationRequests.text(body.text),
            in: conversation,
            by: agentID
        )
        return EditedResponse(status: .created, response: MessageResponse(message: message, audience: .staff))
    }

    @Sendable func release(_ request: Request, context: AppRequestContext) async throws -> ConversationResponse {
        let (workspaceID, actor) = try context.requireOwnerOrAgent()
        let conversation = try await conversations.release(
            id: try context.parameters.require("conversationId"),
            by: actor,
            workspaceID: workspaceID
        )
        return ConversationResponse(conversation: conversation, audience: .staff)
    }

    /// The claiming agent or an owner hands the conversation to another agent.
    @Sendable func transfer(_ request: Request, context: AppRequestContext) async throws -> ConversationResponse {
        let (workspaceID, actor) = try context.requireOwnerOrAgent()
        let id = try context.parameters.require("conversationId")
        _ = try await store.conversation(id: id, workspaceID: workspaceID)  // 404 before the body's 422
        let body = try await request.decodeJSON(as: ConversationRequests.TransferBody.self, context: context)
        let conversation = try await conversations.transfer(
            id: id,
            toAgentID: body.agentId.lowercased(),
            by: actor,
            workspaceID: workspaceID
        )
        return ConversationResponse(conversation: conversation, audience: .staff)
    }

    /// The claiming agent types (or stopped): the visitor's stream and the workspace's show it.
    @Sendable func typing(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let (workspaceID, agentID) = try context.requireAgent()
        let conversation = try await store.conversation(
            id: try context.parameters.require("conversationId"),
            workspaceID: workspaceID
        )
        try conversation.state.checkAgentReply(by: agentID, claimedBy: conversation.claimedByAgentId)
        let typing = try await ConversationRequests.typing(request, context: context)
        try await conversations.indicateTyping(
            Typing(role: .agent, name: conversation.claimedByName, typing: typing),
            in: conversation
        )
        return .noContent
    }

    @Sendable func ratings(_ request: Request, context: AppRequestContext) async throws -> RatingsResponse {
        let workspaceID = try context.requireOwner()
        return RatingsResponse(
            try await store.ratings(
                botID: try context.parameters.require("botId"),
                workspaceID: workspaceID,
                page: request.pageRequest()
            )
        )
    }
}
