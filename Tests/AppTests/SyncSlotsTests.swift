import Testing

@testable import App

/// DESIGN.md §7's concurrency rule for syncs, decided by `SyncSlots` alone.
@Suite struct SyncSlotsTests {
    static let slots = SyncSlots(running: [("source-a", "acme"), ("source-b", "acme"), ("source-c", "other")])

    @Test(arguments: [
        ("source-a", "acme", false),  // its data source is syncing
        ("source-d", "acme", false),  // its workspace has two running
        ("source-c", "other", false),  // its data source is syncing
        ("source-e", "other", true),  // one running in its workspace
        ("source-f", "third", true),  // none running in its workspace
    ])
    func aSyncStartsOnlyIfItsDataSourceIsIdleAndItsWorkspaceHasASlot(source: String, workspace: String, may: Bool) {
        #expect(Self.slots.mayStart(dataSourceID: source, workspaceID: workspace) == may)
    }

    @Test func withNothingRunningAnySyncMayStart() {
        #expect(SyncSlots(running: []).mayStart(dataSourceID: "s", workspaceID: "w"))
    }
}
