import Hummingbird

/// Resolves `Authorization: Bearer …` to the caller's workspace and role, or answers 401.
/// Tokens are never logged: only their hashes reach the store.
struct AuthenticationMiddleware: RouterMiddleware {
    let store: any Store

    func handle(
        _ request: Request,
        context: AppRequestContext,
        next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization],
            let credential = Self.bearerCredential(header),
            let caller = try await store.caller(for: credential)
        else { throw AppError.unauthenticated }
        var context = context
        context.caller = caller
        return try await next(request, context)
    }

    static func bearerCredential(_ header: String) -> Credential? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return Credential(presented: parts[1].trimmingCharacters(in: .whitespaces))
    }
}
