/// Who is calling, resolved from the bearer credential by `AuthenticationMiddleware`.
struct Caller: Sendable, Equatable {
    enum Role: Sendable, Equatable {
        case owner
        case agent(agentID: String)
    }

    let workspaceID: String
    let role: Role
}
