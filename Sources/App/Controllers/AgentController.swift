import Hummingbird

/// `/api/v1/agents`: the people who take over conversations. The token is shown once, on create.
struct AgentController {
    let store: any Store

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .post(use: create)
            .get(use: list)
            .get("{agentId}", use: get)
            .delete("{agentId}", use: delete)
    }

    struct CreateBody: Decodable {
        let name: String
        let email: String
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<AgentResponse>
    {
        let workspaceID = try context.requireOwner()
        let body = try await request.decodeJSON(as: CreateBody.self, context: context)
        let (agent, token) = try await store.createAgent(
            workspaceID: workspaceID,
            name: try Validate.name(body.name),
            email: try Validate.email(body.email)
        )
        return EditedResponse(status: .created, response: AgentResponse(agent, token: token))
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<AgentResponse> {
        let workspaceID = try context.requireOwner()
        return try await store.agents(workspaceID: workspaceID, page: request.pageRequest()).map {
            AgentResponse($0)
        }
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> AgentResponse {
        let workspaceID = try context.requireOwner()
        return AgentResponse(
            try await store.agent(id: try context.parameters.require("agentId"), workspaceID: workspaceID)
        )
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let workspaceID = try context.requireOwner()
        try await store.deleteAgent(id: try context.parameters.require("agentId"), workspaceID: workspaceID)
        return .noContent
    }
}
