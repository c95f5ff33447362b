import Foundation
import Testing

@testable import App

@Suite struct DeliverySlotsTests {
    @Test func aHookGetsNoMoreThanItsShare() {
        var slots = DeliverySlots()
        for _ in 0..<DeliverySlots.perHook { slots.take(hookID: "h", workspaceID: "w") }
        #expect(!slots.canTake(hookID: "h", workspaceID: "w"))
        #expect(slots.canTake(hookID: "other", workspaceID: "w"))
        #expect(slots.busyHooks == ["h"])
    }

    @Test func aWorkspaceGetsNoMoreThanItsShareWhateverItsHooks() {
        var slots = DeliverySlots()
        for hook in 0..<(DeliverySlots.perWorkspace / DeliverySlots.perHook) {
            for _ in 0..<DeliverySlots.perHook { slots.take(hookID: "h\(hook)", workspaceID: "w") }
        }
        #expect(!slots.canTake(hookID: "fresh", workspaceID: "w"))
        #expect(slots.canTake(hookID: "fresh", workspaceID: "other"))
        #expect(slots.busyWorkspaces == ["w"])
    }

    @Test func releasingASlotFreesItForTheHookAndItsWorkspace() {
        var slots = DeliverySlots()
        for _ in 0..<DeliverySlots.perHook { slots.take(hookID: "h", workspaceID: "w") }
        slots.release(hookID: "h", workspaceID: "w")
        #expect(slots.canTake(hookID: "h", workspaceID: "w"))
        #expect(slots.free == DeliverySlots.total - DeliverySlots.perHook + 1)
        #expect(slots.busyHooks.isEmpty)
    }

    @Test func noSlotIsTakenBeyondTheTotal() {
        var slots = DeliverySlots()
        for index in 0..<DeliverySlots.total { slots.take(hookID: "h\(index)", workspaceID: "w\(index)") }
        #expect(!slots.canTake(hookID: "new", workspaceID: "new"))
        #expect(slots.free == 0)
    }
}
