/// Who is calling, resolved from the bearer credential by `AuthenticationMiddleware`.
struct Caller: Sendable, Equatable {
    enum Role: Sendable, Equatable {
        /// An owner, by the key they called with.
        case owner(keyID: String)
        case agent(agentID: String)
    }

    let workspaceID: String
    let role: Role

    /// Whose `Idempotency-Key`s these are: a workspace's owners share theirs, each agent has their own.
    var idempotencyScope: String {
        switch role {
        case .owner: "owner:\(workspaceID)"
        case .agent(let agentID): "agent:\(agentID)"
        }
    }
}
