/// Which deliveries may start: at most `total` attempts in flight, `perHook` for any one hook and
/// `perWorkspace` for any one workspace, so that neither a slow target nor a tenant with many slow hooks can
/// take every slot from the others (DESIGN.md §5).
struct DeliverySlots: Sendable {
    static let total = 64
    static let perHook = 4
    static let perWorkspace = 32

    private(set) var inFlight = 0
    private var byHook: [String: Int] = [:]
    private var byWorkspace: [String: Int] = [:]

    var free: Int { Self.total - inFlight }
    /// Hooks with no slot left: the claim skips their deliveries in the due index itself.
    var busyHooks: [String] { byHook.filter { $0.value >= Self.perHook }.map(\.key) }
    /// Workspaces with no slot left, likewise.
    var busyWorkspaces: [String] { byWorkspace.filter { $0.value >= Self.perWorkspace }.map(\.key) }

    func canTake(hookID: String, workspaceID: String) -> Bool {
        inFlight < Self.total && byHook[hookID, default: 0] < Self.perHook
            && byWorkspace[workspaceID, default: 0] < Self.perWorkspace
    }

    mutating func take(hookID: String, workspaceID: String) {
        inFlight += 1
        byHook[hookID, default: 0] += 1
        byWorkspace[workspaceID, default: 0] += 1
    }

    mutating func release(hookID: String, workspaceID: String) {
        inFlight -= 1
        Self.decrement(&byHook, hookID)
        Self.decrement(&byWorkspace, workspaceID)
    }

    private static func decrement(_ counts: inout [String: Int], _ key: String) {
        let remaining = counts[key, default: 1] - 1
        counts[key] = remaining > 0 ? remaining : nil
    }
}
