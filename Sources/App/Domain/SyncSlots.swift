/// Which queued sync may start (DESIGN.md §7): one at a time per data source, and at most `perWorkspace` running
/// in a workspace, counting every instance's, so one tenant's slow sources never stall another's. A worker runs
/// at most `perWorker` at once.
struct SyncSlots: Sendable {
    static let perWorker = 8
    static let perWorkspace = 2

    private var busyDataSources: Set<String> = []
    private var runningByWorkspace: [String: Int] = [:]

    /// The syncs running now, each as its data source and workspace.
    init(running: [(dataSourceID: String, workspaceID: String)]) {
        for sync in running {
            busyDataSources.insert(sync.dataSourceID)
            runningByWorkspace[sync.workspaceID, default: 0] += 1
        }
    }

    func mayStart(dataSourceID: String, workspaceID: String) -> Bool {
        !busyDataSources.contains(dataSourceID) && runningByWorkspace[workspaceID, default: 0] < Self.perWorkspace
    }
}
