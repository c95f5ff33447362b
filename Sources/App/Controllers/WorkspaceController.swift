import Hummingbird
import Tokenizer

/// `GET`/`PATCH /api/v1/workspace`: the caller's own workspace and its plan.
struct WorkspaceController {
    let database: AppDatabase

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get(use: get)
            .patch(use: update)
    }

    struct UpdateBody: Decodable {
        let name: String?
        // Read as a number and checked as a whole one: Foundation's decoder on Linux reports 1.5 for an
        // Int without naming the field, and a 422 must name it.
        let monthlyStorageTokenLimit: Double?
        let tokenEncoding: String?
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> WorkspaceResponse {
        let workspaceID = try context.requireOwner()
        return WorkspaceResponse(try await database.workspace(id: workspaceID))
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> WorkspaceResponse {
        let workspaceID = try context.requireOwner()
        let body = try await request.decodeJSON(as: UpdateBody.self, context: context)
        let name = try body.name.map { try Validate.name($0) }
        let limit = try body.monthlyStorageTokenLimit.map {
            try Validate.wholeNumber($0, 0...1_000_000_000_000, field: "monthlyStorageTokenLimit")
        }
        let encoding = try body.tokenEncoding.map { value throws(AppError) in
            guard let name = Encoding.Name(rawValue: value) else {
                throw .invalidField("tokenEncoding", "tokenEncoding must be one of cl100k_base, o200k_base.")
            }
            return name
        }
        return WorkspaceResponse(
            try await database.updateWorkspace(
                id: workspaceID,
                name: name,
                monthlyStorageTokenLimit: limit,
                tokenEncoding: encoding
            )
        )
    }
}
