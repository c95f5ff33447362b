import Hummingbird

/// Limits requests by a key drawn from the request (the client's address, the bot), answering 429 with
/// `Retry-After`. Requests without a key pass.
struct RateLimitMiddleware: RouterMiddleware {
    let limiter: RateLimiter
    let scope: String
    let key: @Sendable (AppRequestContext) -> String?

    func handle(
        _ request: Request,
        context: AppRequestContext,
        next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        if let key = key(context), let wait = limiter.spend(key) {
            throw AppError.rateLimited(retryAfter: wait, scope: scope)
        }
        return try await next(request, context)
    }
}
