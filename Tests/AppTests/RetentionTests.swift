import Foundation
import Testing

@testable import App

/// `--retention-days`: finished deliveries (with their attempts) and finished sync jobs older than the retention are
/// deleted by a background service, in small batches; what is still on its way is never deleted.
@Suite struct RetentionTests {
    static let fortyDaysAgo = Timestamp.now().millisecondsSince1970 - 40 * 86_400_000

    @Test func finishedRecordsPastRetentionAreDeletedAndNothingOnItsWay() async throws {
        let app = try await Fixtures.deliveryApp()
        let receiver = TestReceiver()
        let (bot, source, paused) = try await receiver.run { target in
            try await app.run { api in
                // Given delivered events, a disabled hook's paused ones, and a finished sync
                let (bot, hook) = try await Fixtures.botWithHook(api, key: app.ownerKey, target: target)
                let off = try await Fixtures.hook(
                    api,
                    key: app.ownerKey,
                    bot: bot,
                    #"{"type": "conversation.started", "targetUrl": \#(jsonString(target)), "enabled": false}"#
                )
                for _ in 0..<3 { _ = try await Fixtures.startConversation(app, bot: bot) }
                _ = try await Fixtures.eventually(
                    api,
                    Fixtures.deliveryPath(bot: bot, hook: hook) + "?status=succeeded",
                    key: app.ownerKey
                ) { $0["data"]?.array?.count == 3 }
                let source = try await Fixtures.textSource(api, app)
                try await Fixtures.putRows(api, app, source, [("a", "Opening hours are nine to five.")])
                _ = try await Fixtures.sync(api, app, source)
                return (bot, source, off)
            }
        }
        // And all of it forty days old
        try await app.execute(
            "UPDATE delivery SET createdAt = ?, updatedAt = ?",
            [Self.fortyDaysAgo, Self.fortyDaysAgo]
        )
        try await app.execute("UPDATE syncJob SET finishedAt = ?", [Self.fortyDaysAgo])
        // When the server runs with the default 30 days
        try await app.run { api in
            // Then the finished deliveries, their attempts and the sync job go, as the server starts
            let deadline = ContinuousClock.now + .seconds(10)
            while try await app.records(Delivery.self, "SELECT * FROM delivery WHERE status = 'succeeded'", []).count
                > 0,
                ContinuousClock.now < deadline
            {
                try await Task.sleep(for: .milliseconds(50))
            }
            let left = try await app.records(Delivery.self, "SELECT * FROM delivery", [])
            #expect(left.map(\.status) == [.paused, .paused, .paused])
            #expect(left.allSatisfy { $0.hookId == paused["id"]?.string })
            #expect(try await app.records(DeliveryAttempt.self, "SELECT * FROM deliveryAttempt", []).isEmpty)
            let jobs = try await api.get("\(source.base)/syncs", key: app.ownerKey).json
            #expect(jobs["data"]?.array?.isEmpty == true)
            // And what the sync made stays
            #expect(try await Fixtures.documents(api, app, source).count == 1)
            _ = bot
        }
    }

    @Test func aBatchDeletesAtMostItsLimitAndOnlyWhatIsPastTheCutoff() async throws {
        let app = try await Fixtures.deliveryApp()
        let receiver = TestReceiver()
        try await receiver.run { target in
            try await app.run { api in
                let (bot, hook) = try await Fixtures.botWithHook(api, key: app.ownerKey, target: target)
                for _ in 0..<5 { _ = try await Fixtures.startConversation(app, bot: bot) }
                _ = try await Fixtures.eventually(
                    api,
                    Fixtures.deliveryPath(bot: bot, hook: hook) + "?status=succeeded",
                    key: app.ownerKey
                ) { $0["data"]?.array?.count == 5 }
            }
        }
        // Given five finished deliveries, aged one to five days
        let deliveries = try await app.records(Delivery.self, "SELECT * FROM delivery ORDER BY createdAt", [])
        for (age, delivery) in deliveries.enumerated() {
            let time = Timestamp.now().millisecondsSince1970 - Int64(age + 1) * 86_400_000
            try await app.execute(
                "UPDATE delivery SET createdAt = ?, updatedAt = ? WHERE id = ?",
                [time, time, delivery.id]
            )
        }
        // When batches of two delete what is older than two and a half days
        let cutoff = Timestamp(millisecondsSince1970: Timestamp.now().millisecondsSince1970 - 60 * 3_600_000)
        // Then the first takes two, the next the third, and then nothing is left to delete
        #expect(try await app.store.deleteFinished(before: cutoff, limit: 2) == 2)
        #expect(try await app.store.deleteFinished(before: cutoff, limit: 2) == 1)
        #expect(try await app.store.deleteFinished(before: cutoff, limit: 2) == 0)
        // And the two younger than the cutoff are kept
        let left = try await app.records(Delivery.self, "SELECT * FROM delivery", [])
        #expect(Set(left.map(\.id)) == Set(deliveries.prefix(2).map(\.id)))
    }
}
