import Hummingbird
import NIOCore
import ServiceLifecycle

/// Live updates as Server-Sent Events: `GET /api/v1/events` (an owner's or agent's workspace) and
/// `GET /api/v1/public/conversations/{conversationId}/events` (a visitor's conversation).
/// Authenticated like the routes beside them, so clients read them with `fetch`, not `EventSource`,
/// which cannot send an `Authorization` header.
struct EventStreamController {
    let feed: ConversationFeed
    let heartbeatInterval: Duration

    var workspaceEndpoint: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).get(use: workspaceEvents)
    }

    var conversationEndpoint: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).get("events", use: conversationEvents)
    }

    @Sendable func workspaceEvents(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (workspaceID, actor) = try context.requireOwnerOrAgent()
        let holder =
            switch actor {
            case .owner: "owner:\(workspaceID)"
            case .agent(let id): ConversationFeed.agentHolder + id
            }
        return try stream(.workspace(workspaceID), holder: holder)
    }

    @Sendable func conversationEvents(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let conversation = context.visitorConversation else { throw AppError.unauthenticated }
        return try stream(.conversation(conversation.id), holder: nil)
    }

    private func stream(_ scope: ConversationFeed.Scope, holder: String?) throws -> Response {
        guard let subscription = feed.subscribe(scope, holder: holder) else {
            throw AppError(
                .tooManyRequests,
                code: .tooManyStreams,
                message:
                    "At most \(ConversationFeed.streamsPerHolder) event streams may be open at once; close one first."
            )
        }
        let interval = heartbeatInterval
        let body = ResponseBody { writer in
            defer { subscription.end() }
            // The server waits for open responses when it stops: a stream ends on shutdown instead.
            try await withGracefulShutdownHandler {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        while !Task.isCancelled {
                            try await Task.sleep(for: interval)
                            subscription.heartbeat()
                        }
                    }
                    for await frame in subscription.frames {
                        try await writer.write(ByteBuffer(bytes: frame.bytes))
                    }
                    group.cancelAll()
                }
            } onGracefulShutdown: {
                subscription.end()
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store", .init("X-Accel-Buffering")!: "no"],
            body: body
        )
    }
}
