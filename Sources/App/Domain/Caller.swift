/// Who is calling, resolved from the bearer credential by `AuthenticationMiddleware`.
struct Caller: Sendable, Equatable {
    enum Role: Sendable, Equatable {
        /// An owner, by the key they called with.
        case owner(keyID: String)
        case agent(agentID: String)
    }

    let workspaceID: String
    let role: Role
}
