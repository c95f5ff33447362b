import Foundation
import Testing

@testable import App

@Suite struct CredentialTests {
    @Test(arguments: [Credential.Kind.ownerKey, .agentToken, .visitorToken])
    func generatedCredentialsCarryTheirPrefixAnd192RandomBits(kind: Credential.Kind) {
        let credential = Credential.generate(kind)
        #expect(credential.plaintext.hasPrefix(kind.rawValue))
        #expect(credential.plaintext.count == 3 + 48)
        #expect(Credential.generate(kind).plaintext != credential.plaintext)
    }

    @Test func hashIsHexSHA256OfThePlaintext() {
        // printf 'sk_test' | sha256sum
        #expect(
            Credential(presented: "sk_test")?.hash == "12b2820cf1639904311da5771de1e5bb65c77073fdc7c555df395942df42896b"
        )
    }

    @Test(arguments: ["", "sk_", "token", "xk_abc", String(repeating: "a", count: 300)])
    func unknownShapesAreNotCredentials(token: String) {
        #expect(Credential(presented: token) == nil)
    }
}

@Suite struct CursorTests {
    @Test func positionSurvivesTheRoundTrip() {
        let position = PageRequest.Position(
            createdAt: Timestamp(millisecondsSince1970: 1_795_000_000_345),
            id: "6e8230b0-f314-4f8b-a138-f066781e6b7b"
        )
        #expect(PageRequest.Position(cursor: position.cursor) == position)
        #expect(!position.cursor.contains("=") && !position.cursor.contains("/") && !position.cursor.contains("+"))
    }

    @Test(arguments: ["", "abc", "MTIzOm5vdC1hLXV1aWQ", "OjZlODIzMGIw"])
    func foreignCursorsAreRejected(cursor: String) {
        #expect(PageRequest.Position(cursor: cursor) == nil)
    }
}

@Suite struct TimestampTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (Int64(1_795_000_000_345), "2026-11-18T11:06:40.345Z"),
        (Int64(-1), "1969-12-31T23:59:59.999Z"),
    ])
    func formatsISO8601WithMilliseconds(millis: Int64, expected: String) throws {
        let timestamp = Timestamp(millisecondsSince1970: millis)
        #expect(timestamp.iso8601 == expected)
        #expect(try JSONDecoder().decode(Timestamp.self, from: JSONEncoder().encode(timestamp)) == timestamp)
    }

    @Test func startOfMonthIsTheFirstMillisecondOfTheUTCMonth() {
        let timestamp = Timestamp(millisecondsSince1970: 1_795_000_000_345)
        #expect(timestamp.startOfMonthUTC.iso8601 == "2026-11-01T00:00:00.000Z")
    }

    @Test func datesRoundToTheNearestMillisecond() {
        #expect(
            Timestamp(Date(timeIntervalSince1970: 1_795_000_000.3449999)).millisecondsSince1970 == 1_795_000_000_345
        )
    }
}

@Suite struct ValidationTests {
    @Test(arguments: ["ann@example.com", "a.b+c@sub.example.co.uk", " ann@example.com "])
    func acceptsEmailAddresses(email: String) throws {
        #expect(try Validate.email(email) == email.trimmingCharacters(in: .whitespaces))
    }

    @Test(arguments: ["a", "a@b", "a@.b", "a@b.", "a@b..c", "a b@c.d", "@c.d", "a@@c.d"])
    func refusesWhatIsNotAnAddress(email: String) {
        #expect(throws: AppError.self) { try Validate.email(email) }
    }

    @Test func countsCharactersNotBytes() throws {
        #expect(try Validate.name(String(repeating: "👋🏽", count: 200)).count == 200)
        #expect(throws: AppError.self) { try Validate.name(String(repeating: "a", count: 201)) }
    }
}

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

    @Test(arguments: [(90, 100, 10, true), (90, 100, 11, false), (100, 100, 0, true), (0, 0, 1, false), (150, 100, 0, false)])
    func aSyncFitsWhileTheMonthsTotalStaysWithinTheLimit(used: Int, limit: Int, tokens: Int, allowed: Bool) {
        #expect(Self.usage(used: used, limit: limit).allows(tokens: tokens) == allowed)
    }
}

@Suite struct HookTypeTests {
    @Test func onlyTheTriggerHasNoTargetAndNeedsADataSource() {
        #expect(HookType.allCases.filter { !$0.hasTarget } == [.syncTrigger])
        #expect(HookType.allCases.filter(\.requiresDataSource) == [.syncTrigger])
    }

    @Test func onlySyncHooksTakeADataSource() {
        #expect(HookType.allCases.filter(\.takesDataSource) == [.syncTrigger, .syncSuccess, .syncFailure])
    }
}
