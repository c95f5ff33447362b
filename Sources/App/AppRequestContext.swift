import Foundation
import Hummingbird

/// The request context of every route: the resolved caller and the API's JSON coders.
struct AppRequestContext: RequestContext {
    /// The body limit of JSON routes (DESIGN.md §8).
    static let jsonBodyLimit = 1 << 20

    var coreContext: CoreRequestContextStorage
    /// Set by `AuthenticationMiddleware` on the authenticated routes.
    var caller: Caller?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    var maxUploadSize: Int { Self.jsonBodyLimit }
    var requestDecoder: JSONDecoder { JSONDecoder() }
    var responseEncoder: JSONEncoder { .api() }

    /// The workspace of an owner; 403 for any other valid credential.
    func requireOwner() throws(AppError) -> String {
        guard let caller else { throw .unauthenticated }
        guard caller.role == .owner else { throw .forbidden("This route needs the workspace's owner key (sk_…).") }
        return caller.workspaceID
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
