import Foundation
import Testing

@testable import App

@Suite struct HookTypeTests {
    @Test func onlyTheTriggerHasNoTargetAndNeedsADataSource() {
        #expect(HookType.allCases.filter { !$0.hasTarget } == [.syncTrigger])
        #expect(HookType.allCases.filter(\.requiresDataSource) == [.syncTrigger])
    }

    @Test func onlySyncHooksTakeADataSource() {
        #expect(HookType.allCases.filter(\.takesDataSource) == [.syncTrigger, .syncSuccess, .syncFailure])
    }
}
