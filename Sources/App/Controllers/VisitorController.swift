import Hummingbird

/// The public routes of the chat widget: start a conversation, talk, ask for a human, read the transcript.
struct VisitorController {
    let database: AppDatabase
    let metrics: ConversationMetrics
    let feed: ConversationFeed
    let responder: BotResponder

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
    }

    @Sendable func start(
        _ request: Request,
        context: AppRequestContext
    ) async throws
        -> EditedResponse<ConversationResponse>
    {
        let body = try await request.decodeJSON(as: ConversationRequests.StartBody.self, context: context)
        let new = try ConversationRequests.newConversation(body, requiredChannel: "web")
        let (conversation, token) = try await database.startConversation(
            botID: try context.parameters.require("botId"),
            workspaceID: nil,
            new
        )
        metrics.transitioned(.start)
        feed.changed(conversation)
        if let question = new.initialMessage { try await reply(to: question, in: conversation) }
        return EditedResponse(
            status: .created,
            response: ConversationResponse(conversation: conversation, visitorToken: token.plaintext)
        )
    }

    /// The conversation with its first 200 messages.
    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> ConversationResponse {
        let conversation = try visitorConversation(context)
        let (messages, _) = try await database.messages(
            conversationID: conversation.id,
            workspaceID: nil,
            after: nil,
            limit: PageRequest.maximumLimit
        )
        return ConversationResponse(conversation: conversation, messages: messages.map { MessageResponse(message: $0) })
    }

    @Sendable func messages(_ request: Request, context: AppRequestContext) async throws -> Page<MessageResponse> {
        let conversation = try visitorConversation(context)
        let page = try ConversationRequests.transcriptPage(request)
        let (messages, next) = try await database.messages(
            conversationID: conversation.id,
            workspaceID: nil,
            after: page.after,
            limit: page.limit
        )
        return ConversationRequests.transcript(messages, next: next)
    }

    @Sendable func post(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<MessageResponse>
    {
        let conversation = try visitorConversation(context)
        let body = try await request.decodeJSON(as: ConversationRequests.MessageBody.self, context: context)
        let message = try await database.postVisitorMessage(
            conversationID: conversation.id,
            text: try ConversationRequests.text(body.text)
        )
        feed.posted(message, in: conversation)
        let reply = try await reply(to: message.text, in: conversation)
        return EditedResponse(status: .created, response: MessageResponse(message: message, reply: reply))
    }

    /// "Talk to a human".
    @Sendable func escalate(_ request: Request, context: AppRequestContext) async throws -> ConversationResponse {
        let conversation = try visitorConversation(context)
        let body = try await request.decodeJSON(as: ConversationRequests.EscalateBody.self, context: context)
        let escalated = try await database.escalate(
            conversationID: conversation.id,
            userEmail: try Validate.email(body.userEmail, field: "userEmail"),
            userData: try body.userData.map(ConversationRequests.userData)
        )
        metrics.transitioned(.escalate)
        feed.changed(escalated)
        return ConversationResponse(conversation: escalated)
    }

    /// The bot's answer, when the bot has the conversation.
    @discardableResult
    private func reply(to question: String, in conversation: Conversation) async throws -> Message? {
        guard let reply = try await responder.reply(to: question, in: conversation) else { return nil }
        feed.posted(reply, in: conversation)
        return reply
    }

    private func visitorConversation(_ context: AppRequestContext) throws(AppError) -> Conversation {
        guard let conversation = context.visitorConversation else { throw .unauthenticated }
        return conversation
    }
}
