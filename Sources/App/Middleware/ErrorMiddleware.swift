import Hummingbird
import Logging

/// Turns every error into the JSON of DESIGN.md §8. Errors the app does not know are logged once,
/// here, and answered with a generic 500 that reveals nothing.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return try Self.appError(for: error, context: context).response(from: request, context: context)
        }
    }

    static func appError(for error: any Error, context: Context) -> AppError {
        switch error {
        case let error as AppError:
            return error
        case let error as any HTTPResponseError:
            // Hummingbird's own answers: unknown routes, bodies over the limit, bad requests.
            switch error.status {
            case .notFound: return .routeNotFound
            case .contentTooLarge: return .payloadTooLarge(limit: AppRequestContext.jsonBodyLimit)
            case .methodNotAllowed: return .methodNotAllowed
            case let status where (400..<500).contains(status.code):
                return AppError(status, code: .badRequest, message: "The request is malformed.")
            default:
                context.logger.error("Unhandled HTTP error", metadata: ["error": "\(error)"])
                return .internalError
            }
        default:
            context.logger.error("Unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return .internalError
        }
    }
}
