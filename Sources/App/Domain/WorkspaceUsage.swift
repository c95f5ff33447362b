/// A workspace with this month's storage use, as `GET /api/v1/workspace` shows it, and the plan's one rule
/// (DESIGN.md §7): a sync may add its tokens while the month's total stays within the limit.
struct WorkspaceUsage: Sendable {
    let workspace: Workspace
    let storageTokensUsedThisMonth: Int

    static let overLimitReason = "Over plan storage token limit, please upgrade plan"

    func allows(tokens: Int) -> Bool {
        storageTokensUsedThisMonth + tokens <= workspace.monthlyStorageTokenLimit
    }
}
