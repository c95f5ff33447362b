import Hummingbird

/// Resolves a visitor's `Authorization: Bearer vt_…` to its conversation: 401 when it is no conversation's
/// token, 404 when it belongs to another conversation than the one in the path.
struct VisitorAuthenticationMiddleware: RouterMiddleware {
    let store: any Store

    func handle(
        _ request: Request,
        context: AppRequestContext,
        next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization],
            let credential = AuthenticationMiddleware.bearerCredential(header), credential.kind == .visitorToken,
            let conversation = try await store.conversation(visitorTokenHash: credential.hash)
        else { throw AppError.unauthenticated }
        guard conversation.id == context.parameters.get("conversationId") else {
            throw AppError.notFound("Conversation")
        }
        var context = context
        context.visitorConversation = conversation
        return try await next(request, context)
    }
}
