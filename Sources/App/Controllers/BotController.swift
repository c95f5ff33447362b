import Hummingbird

/// `/api/v1/bots`: an owner's bots.
struct BotController {
    let store: any Store

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .post(use: create)
            .get(use: list)
            .get("{botId}", use: get)
            .patch("{botId}", use: update)
            .delete("{botId}", use: delete)
    }

    struct CreateBody: Decodable {
        let name: String
        let humanTakeoverEnabled: Bool?
    }

    struct UpdateBody: Decodable {
        let name: String?
        let humanTakeoverEnabled: Bool?
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<BotResponse> {
        let workspaceID = try context.requireOwner()
        let body = try await request.decodeJSON(as: CreateBody.self, context: context)
        let bot = try await store.createBot(
            workspaceID: workspaceID,
            name: try Validate.name(body.name),
            humanTakeoverEnabled: body.humanTakeoverEnabled ?? false
        )
        return EditedResponse(status: .created, response: BotResponse(bot))
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<BotResponse> {
        let workspaceID = try context.requireOwner()
        return try await store.bots(workspaceID: workspaceID, page: request.pageRequest()).map(BotResponse.init)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> BotResponse {
        let workspaceID = try context.requireOwner()
        return BotResponse(
            try await store.bot(id: try context.parameters.require("botId"), workspaceID: workspaceID)
        )
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> BotResponse {
        let workspaceID = try context.requireOwner()
        let id = try context.parameters.require("botId")
        let body = try await request.decodeJSON(as: UpdateBody.self, context: context)
        let bot = try await store.updateBot(
            id: id,
            workspaceID: workspaceID,
            name: try body.name.map { try Validate.name($0) },
            humanTakeoverEnabled: body.humanTakeoverEnabled
        )
        return BotResponse(bot)
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let workspaceID = try context.requireOwner()
        try await store.deleteBot(id: try context.parameters.require("botId"), workspaceID: workspaceID)
        return .noContent
    }
}
