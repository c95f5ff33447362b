import Foundation
import Hummingbird

/// The request context of every route: the resolved caller and the API's JSON coders.
struct AppRequestContext: RequestContext {
    /// The body limit of JSON routes (DESIGN.md §8).
    static let jsonBodyLimit = 1 << 20
    /// Room in the request line and headers for the longest documented parameter (a 10,000-character search,
    /// each character up to 4 UTF-8 bytes, each byte percent-encoded as 3): past the HTTP decoder's limit the
    /// server can only answer a bare 400, not a JSON error naming the parameter.
    static let headLimit = 256 << 10

    var coreContext: CoreRequestContextStorage
    /// Set by `AuthenticationMiddleware` on the authenticated routes.
    var caller: Caller?
    /// Set by `VisitorAuthenticationMiddleware`: the conversation whose visitor token came with the request.
    var visitorConversation: Conversation?
    /// The key of per-client rate limits: the peer's IPv4 address or IPv6 /64.
    let clientKey: String

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientKey = RateLimiter.clientKey(forAddress: source.channel.remoteAddress?.ipAddress ?? "unknown")
    }

    var maxUploadSize: Int { Self.jsonBodyLimit }
    var requestDecoder: JSONDecoder { JSONDecoder() }
    var responseEncoder: JSONEncoder { .api() }

    /// The workspace and agent of an agent; 403 for an owner.
    func requireAgent() throws(AppError) -> (workspaceID: String, agentID: String) {
        guard let caller else { throw .unauthenticated }
        guard case .agent(let agentID) = caller.role else {
            throw .forbidden("This route is for agents: send an agent token (ak_…).")
        }
        return (caller.workspaceID, agentID)
    }

    /// The workspace of an owner or an agent, and which one it is.
    func requireOwnerOrAgent() throws(AppError) -> (workspaceID: String, actor: ConversationActor) {
        guard let caller else { throw .unauthenticated }
        switch caller.role {
        case .owner: return (caller.workspaceID, .owner)
        case .agent(let agentID): return (caller.workspaceID, .agent(id: agentID))
        }
    }

    /// The workspace of an owner; 403 for any other valid credential.
    func requireOwner() throws(AppError) -> String {
        guard let caller else { throw .unauthenticated }
        guard case .owner = caller.role else { throw .forbidden("This route needs the workspace's owner key (sk_…).") }
        return caller.workspaceID
    }

    /// The workspace of an owner and the key they called with; 403 for any other valid credential.
    func requireOwnerKey() throws(AppError) -> (workspaceID: String, keyID: String) {
        guard let caller else { throw .unauthenticated }
        guard case .owner(let keyID) = caller.role else {
            throw .forbidden("This route needs the workspace's owner key (sk_…).")
        }
        return (caller.workspaceID, keyID)
    }
}

extension JSONEncoder {
    /// The API's encoder: keys sorted so answers are stable, slashes unescaped so URLs read as URLs.
    static func api() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
