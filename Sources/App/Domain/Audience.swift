/// Who reads a conversation or a message: owners and agents see who claimed it (id, name, email); a visitor
/// sees only the agent's display name (DESIGN.md §1).
enum Audience: Sendable {
    case staff
    case visitor

    /// An agent as this audience may see them.
    func agent(id: String, name: String?, email: String? = nil) -> JSONValue {
        switch self {
        case .staff:
            var fields: [String: JSONValue] = ["id": .string(id), "name": .string(name ?? "")]
            if let email { fields["email"] = .string(email) }
            return .object(fields)
        case .visitor: return .object(["name": .string(name ?? "")])
        }
    }
}
