import Foundation
import Testing

@testable import App

/// A paced hook's schedule: starts booked `1/maxPerSecond` apart, at most a second ahead, on whatever claims.
@Suite struct DeliveryPaceTests {
    static let now = Timestamp(millisecondsSince1970: 1_800_000_000_000)
    static let nowMicroseconds = now.millisecondsSince1970 * 1000

    @Test func startsAreBookedAQuarterSecondApartAtFourASecond() {
        var pace = DeliveryPace(hookID: "h", maxPerSecond: 4, nextStart: nil)
        let starts = (0..<4).compactMap { _ in pace.book(now: Self.nowMicroseconds) }
        #expect(starts.map { $0 - Self.nowMicroseconds } == [0, 250_000, 500_000, 750_000])
        // The fifth would start a second from now: booked out until then
        #expect(pace.book(now: Self.nowMicroseconds) == nil)
        #expect(pace.isBookedOut(now: Self.nowMicroseconds))
        #expect(pace.freesAt == Self.nowMicroseconds)
    }

    @Test func aClaimTakesAPacedHooksDeliveriesOnlyAsFarAsItsScheduleGoes() {
        // Given a hook paced at 2 a second whose next start is already half a second away
        let pace = DeliveryPace(hookID: "paced", maxPerSecond: 2, nextStart: Self.nowMicroseconds + 500_000)
        var claim = DeliveryClaim(slots: DeliverySlots(), paces: [pace], now: Self.now)
        // When three of its deliveries and one of another hook are considered
        for id in ["p1", "p2", "p3"] {
            claim.consider(deliveryID: id, hookID: "paced", workspaceID: "w", hookEnabled: true)
        }
        claim.consider(deliveryID: "free", hookID: "other", workspaceID: "w", hookEnabled: true)
        // Then one paced delivery is taken, booked at its start; the unpaced one goes at once
        #expect(claim.chosen == ["p1", "free"])
        #expect(claim.startsAt == ["p1": Self.nowMicroseconds + 500_000])
        #expect(claim.bookedHooks == ["paced"])
        #expect(claim.bookedOutHooks == ["paced"])
    }

    @Test func aScheduleLeftBehindStartsFromNow() {
        var pace = DeliveryPace(hookID: "h", maxPerSecond: 10, nextStart: Self.nowMicroseconds - 60_000_000)
        #expect(pace.book(now: Self.nowMicroseconds) == Self.nowMicroseconds)
        #expect(pace.book(now: Self.nowMicroseconds) == Self.nowMicroseconds + 100_000)
    }
}
