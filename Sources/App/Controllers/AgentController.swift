import Hummingbird

/// `/api/v1/agents`: the people who take over conversations. The token is shown once, on create. Owners manage
/// agents and their capacity; each agent reads and sets their own status at `/api/v1/agents/me`.
struct AgentController {
    let store: any Store
    let conversations: Conversations

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .post(use: create)
            .get(use: list)
            .get("me", use: me)
            .patch("me", use: updateMe)
            .get("{agentId}", use: get)
            .patch("{agentId}", use: update)
            .delete("{agentId}", use: delete)
    }

    struct CreateBody: Decodable {
        let name: String
        let email: String
        let capacity: Double?
    }

    struct UpdateBody: Decodable {
        let name: String?
        let capacity: Double?
    }

    struct StatusBody: Decodable {
        let status: String
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<AgentResponse>
    {
        let workspaceID = try context.requireOwner()
        let body = try await request.decodeJSON(as: CreateBody.self, context: context)
        let name = try Validate.name(body.name)
        let email = try Validate.email(body.email)
        let capacity = try body.capacity.map(Self.validCapacity)
        var (agent, token) = try await store.createAgent(workspaceID: workspaceID, name: name, email: email)
        if let capacity {
            agent = try await store.updateAgent(id: agent.id, workspaceID: workspaceID, .init(capacity: capacity))
        }
        return EditedResponse(
            status: .created,
            response: AgentResponse(agent, load: AgentLoad(activeConversations: 0, connected: false), token: token)
        )
    }

    /// Owners manage them; agents see their colleagues, to hand a conversation over.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<AgentResponse> {
        let (workspaceID, _) = try context.requireOwnerOrAgent()
        let page = try await store.agents(workspaceID: workspaceID, page: request.pageRequest())
        let loads = try await store.agentLoads(workspaceID: workspaceID)
        return page.map { AgentResponse($0, load: loads[$0.id]) }
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> AgentResponse {
        let workspaceID = try context.requireOwner()
        return try await response(for: try context.parameters.require("agentId"), workspaceID: workspaceID)
    }

    /// An owner renames an agent or sets their capacity; more room may take waiting escalations at once.
    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> AgentResponse {
        let workspaceID = try context.requireOwner()
        let id = try context.parameters.require("agentId")
        let body = try await request.decodeJSON(as: UpdateBody.self, context: context)
        let changes = AgentChanges(
            name: try body.name.map { try Validate.name($0) },
            capacity: try body.capacity.map(Self.validCapacity)
        )
        _ = try await store.updateAgent(id: id, workspaceID: workspaceID, changes)
        if changes.capacity != nil { await conversations.assignWaiting(workspaceID: workspaceID) }
        return try await response(for: id, workspaceID: workspaceID)
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let workspaceID = try context.requireOwner()
        try await store.deleteAgent(id: try context.parameters.require("agentId"), workspaceID: workspaceID)
        return .noContent
    }

    /// The calling agent, as owners see them.
    @Sendable func me(_ request: Request, context: AppRequestContext) async throws -> AgentResponse {
        let (workspaceID, agentID) = try context.requireAgent()
        return try await response(for: agentID, workspaceID: workspaceID)
    }

    /// An agent sets their own status: `available` may take waiting escalations at once.
    @Sendable func updateMe(_ request: Request, context: AppRequestContext) async throws -> AgentResponse {
        let (workspaceID, agentID) = try context.requireAgent()
        let body = try await request.decodeJSON(as: StatusBody.self, context: context)
        guard let status = AgentStatus(rawValue: body.status) else {
            throw AppError.invalidField("status", "status must be \"available\" or \"away\".")
        }
        _ = try await store.updateAgent(id: agentID, workspaceID: workspaceID, AgentChanges(status: status))
        if status == .available { await conversations.assignWaiting(workspaceID: workspaceID) }
        return try await response(for: agentID, workspaceID: workspaceID)
    }

    private func response(for id: String, workspaceID: String) async throws -> AgentResponse {
        let agent = try await store.agent(id: id, workspaceID: workspaceID)
        let loads = try await store.agentLoads(workspaceID: workspaceID)
        return AgentResponse(agent, load: loads[id])
    }

    private static func validCapacity(_ value: Double) throws(AppError) -> Int {
        try Validate.wholeNumber(value, AgentCapacity.range, field: "capacity")
    }
}
