import Foundation
import Testing

@testable import App

@Suite struct WorkspaceUsageTests {
    static func usage(used: Int, limit: Int) -> WorkspaceUsage {
        let workspace = Workspace(
            id: "w",
            name: "Acme",
            monthlyStorageTokenLimit: limit,
            createdAt: .now(),
            updatedAt: .now()
        )
        return WorkspaceUsage(workspace: workspace, storageTokensUsedThisMonth: used)
    }

    @Test(arguments: [
        (90, 100, 10, true), (90, 100, 11, false), (100, 100, 0, true), (0, 0, 1, false), (150, 100, 0, false),
    ])
    func aSyncFitsWhileTheMonthsTotalStaysWithinTheLimit(used: Int, limit: Int, tokens: Int, allowed: Bool) {
        #expect(Self.usage(used: used, limit: limit).allows(tokens: tokens) == allowed)
    }
}
