import Hummingbird

/// The public routes of the chat widget: start a conversation, talk, ask for a human, read the transcript.
struct VisitorController {
    let store: any Store
    let conversations: Conversations

    /// `POST /api/v1/public/bots/{botId}/conversations` (anyone).
    var startEndpoint: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).post(use: start)
    }

    /// `/api/v1/public/conversations/{conversationId}` (the visitor's token).
    var conversationEndpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get(use: get)
            .get("messages", use: messages)
            .post("messages", use: post)
            .post("escalate", use: escalate)
            .post("rating", use: rate)
            .post("typing", use: typing)
    }

    @Sendable func start(
        _ request: Request,
        context: AppRequestContext
    ) async throws
        -> EditedResponse<ConversationResponse>
    {
        let body = try await request.decodeJSON(as: ConversationRequests.StartBody.self, context: context)
        let new = try ConversationRequests.newConversation(body, requiredChannel: "web")
        let botID = try context.parameters.require("botId")
        let started = try await conversations.start(botID: botID, workspaceID: nil, new)
        return EditedResponse(
            status: .created,
            response: ConversationResponse(
                conversation: started.conversation,
                audience: .visitor,
                visitorToken: started.token.plaintext
            )
        )
    }

    /// The conversation with its first 200 messages.
    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> ConversationResponse {
        let conversation = try visitorConversation(context)
        let (messages, _) = try await store.messages(
            conversationID: conversation.id,
            workspaceID: nil,
            after: nil,
            limit: PageRequest.maximumLimit
        )
        return ConversationResponse(
            conversation: conversation,
            audience: .visitor,
            messages: messages.map { MessageResponse(message: $0, audience: .visitor) }
        )
    }

    @Sendable func messages(_ request: Request, context: AppRequestContext) async throws -> Page<MessageResponse> {
        let conversation = try visitorConversation(context)
        let page = try ConversationRequests.transcriptPage(request)
        let (messages, next) = try await store.messages(
            conversationID: conversation.id,
            workspaceID: nil,
            after: page.after,
            limit: page.limit
        )
        return ConversationRequests.transcript(messages, next: next, for: .visitor)
    }

    /// The visitor's message, and the bot's answer when the bot has the conversation.
    @Sendable func post(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<MessageResponse>
    {
        let conversation = try visitorConversation(context)
        let body = try await request.decodeJSON(as: ConversationRequests.MessageBody.self, context: context)
        let posted = try await conversations.postVisitorMessage(
            try ConversationRequests.text(body.text),
            in: conversation
        )
        return EditedResponse(
            status: .created,
            response: MessageResponse(message: posted.message, audience: .visitor, reply: posted.reply)
        )
    }

    /// "Talk to a human".
    @Sendable func escalate(_ request: Request, context: AppRequestContext) async throws -> ConversationResponse {
        let conversation = try visitorConversation(context)
        let body = try await request.decodeJSON(as: ConversationRequests.EscalateBody.self, context: context)
        let escalated = try await conversations.escalate(
            conversation,
            userEmail: try Validate.email(body.userEmail, field: "userEmail"),
            userData: try body.userData.map(ConversationRequests.userData)
        )
        return ConversationResponse(conversation: escalated, audience: .visitor)
    }

    /// The visitor's rating, once, after a release.
    @Sendable func rate(_ request: Request, context: AppRequestContext) async throws -> ConversationResponse {
        let conversation = try visitorConversation(context)
        let body = try await request.decodeJSON(as: ConversationRequests.RatingBody.self, context: context)
        let (score, comment) = try ConversationRequests.rating(body)
        let rated = try await conversations.rate(conversation, score: score, comment: comment)
        return ConversationResponse(conversation: rated, audience: .visitor)
    }

    /// The visitor types (or stopped): the agents' streams show it.
    @Sendable func typing(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let conversation = try visitorConversation(context)
        let typing = try await ConversationRequests.typing(request, context: context)
        try await conversations.indicateTyping(Typing(role: .user, typing: typing), in: conversation)
        return .noContent
    }

    private func visitorConversation(_ context: AppRequestContext) throws(AppError) -> Conversation {
        guard let conversation = context.visitorConversation else { throw .unauthenticated }
        return conversation
    }
}
