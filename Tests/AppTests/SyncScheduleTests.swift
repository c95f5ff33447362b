import Foundation
import Testing

@testable import App

/// Data sources that sync on a schedule (DESIGN.md §7, "Schedules"), on an injected clock the tests move.
@Suite struct SyncScheduleTests {
    static let quarterHour = Duration.seconds(15 * 60)

    /// A text data source with one row and `settings` merged into its creation body.
    static func scheduledSource(_ api: API, _ app: TestApp, every minutes: Int = 15) async throws -> Source {
        let bot = try await api.createBot(name: "Scheduled bot", key: app.ownerKey)["id"]!.string!
        let reply = try await api.post(
            "/api/v1/bots/\(bot)/data-sources",
            key: app.ownerKey,
            json: #"{"name": "Handbook", "type": "text", "syncEveryMinutes": \#(minutes)}"#
        )
        #expect(reply.status == .created, "\(reply.text)")
        let source = Source(bot: bot, id: try reply.json["id"]!.string!)
        try await Fixtures.putRows(api, app, source, [("a", "Opening hours are nine to five.")])
        return source
    }

    /// The data source's syncs, newest first.
    static func syncs(_ api: API, _ app: TestApp, _ source: Source) async throws -> [JSONValue] {
        try await api.get("\(source.base)/syncs", key: app.ownerKey).json["data"]?.array ?? []
    }

    /// The data source's syncs once there are `count` and all have ended.
    static func finishedSyncs(_ api: API, _ app: TestApp, _ source: Source, count: Int) async throws -> [JSONValue] {
        try await Fixtures.eventually(api, "\(source.base)/syncs", key: app.ownerKey) { page in
            let jobs = page["data"]?.array ?? []
            return jobs.count >= count && jobs.allSatisfy { ["succeeded", "failed"].contains($0["status"]?.string) }
        }["data"]?.array ?? []
    }

    static func nextSyncAt(_ api: API, _ app: TestApp, _ source: Source) async throws -> Timestamp? {
        try await api.get(source.base, key: app.ownerKey).json["nextSyncAt"]?.string.flatMap(Timestamp.init(iso8601:))
    }

    @Test func aScheduleTakesFifteenMinutesToAWeekAndShowsItsNextSync() async throws {
        let clock = ManualTimerClock()
        let app = try await TestApp { $0.timerClock = clock }
        try await app.run { api in
            let bot = try await api.createBot(name: "Bot", key: app.ownerKey)["id"]!.string!
            // Intervals outside 15 minutes to a week, or not whole, are refused naming the field
            for minutes in ["14", "10081", "15.5", "\"hourly\""] {
                let refused = try await api.post(
                    "/api/v1/bots/\(bot)/data-sources",
                    key: app.ownerKey,
                    json: #"{"name": "Handbook", "type": "text", "syncEveryMinutes": \#(minutes)}"#
                )
                #expect(refused.status == .unprocessableContent || refused.status == .badRequest, "\(minutes)")
            }
            // Given a data source that syncs every hour
            let source = try await Self.scheduledSource(api, app, every: 60)
            let created = try await api.get(source.base, key: app.ownerKey).json
            #expect(created["syncEveryMinutes"]?.int == 60)
            let createdAt = try #require(created["createdAt"]?.string.flatMap(Timestamp.init(iso8601:)))
            // Then its first sync is an hour after it was made
            #expect(try await Self.nextSyncAt(api, app, source) == createdAt.adding(.seconds(3600)))
            // When the owner clears the schedule, nothing is due
            let cleared = try await api.patch(source.base, key: app.ownerKey, json: #"{"syncEveryMinutes": null}"#).json
            #expect(cleared["syncEveryMinutes"] == .null && cleared["nextSyncAt"] == .null)
            #expect(try await app.store.nextScheduledSync() == nil)
        }
    }

    @Test func aScheduledSyncRunsEachIntervalAndFiresTheSyncHooks() async throws {
        let clock = ManualTimerClock()
        let app = try await TestApp {
            $0.allowPrivateTargets = true
            $0.timerClock = clock
        }
        let receiver = TestReceiver()
        try await receiver.run { target in
            try await app.run { api in
                // Given a data source synced every 15 minutes, with a sync.success hook
                let source = try await Self.scheduledSource(api, app)
                _ = try await Fixtures.hook(
                    api,
                    key: app.ownerKey,
                    bot: source.bot,
                    #"{"type": "sync.success", "targetUrl": "\#(target)"}"#
                )
                let firstDue = try #require(try await Self.nextSyncAt(api, app, source))
                // When a quarter of an hour passes
                clock.advance(by: Self.quarterHour)
                // Then it synced once, by its schedule, and the hook heard of it
                let first = try await Self.finishedSyncs(api, app, source, count: 1)
                #expect(first.map { $0["trigger"]?.string } == ["schedule"])
                #expect(first.first?["status"]?.string == "succeeded")
                let received = try await receiver.waitForRequests(1)
                let payload = try JSONDecoder().decode(JSONValue.self, from: Data(received[0].body.utf8))
                #expect(payload["syncId"] == first.first?["id"])
                // And the next is one interval on; when that passes it syncs again
                #expect(try await Self.nextSyncAt(api, app, source) == firstDue.adding(Self.quarterHour))
                clock.advance(by: Self.quarterHour)
                let second = try await Self.finishedSyncs(api, app, source, count: 2)
                #expect(second.count == 2)
            }
        }
    }

    @Test func aScheduleThatMissedManyIntervalsWhileStoppedCatchesUpOnce() async throws {
        let clock = ManualTimerClock()
        let app = try await TestApp { $0.timerClock = clock }
        // Given a data source synced every 15 minutes, and the server stopped before its first sync
        let (source, firstDue) = try await app.run { api in
            let source = try await Self.scheduledSource(api, app)
            return (source, try #require(try await Self.nextSyncAt(api, app, source)))
        }
        // When two hours pass while it is down (eight intervals), and it starts again
        clock.advance(by: .seconds(2 * 3600))
        try await app.run { api in
            // Then it syncs once, not eight times, and keeps its cadence
            let syncs = try await Self.finishedSyncs(api, app, source, count: 1)
            #expect(syncs.count == 1)
            #expect(try await Self.nextSyncAt(api, app, source) == firstDue.adding(.seconds(8 * 15 * 60)))
            #expect(try await Self.syncs(api, app, source).count == 1)
        }
    }

    @Test(.enabled(if: TestStore.isPostgres, "several instances share a PostgreSQL database"))
    func eachIntervalQueuesOneSyncWhenTwoInstancesWatchTheSchedule() async throws {
        let clock = ManualTimerClock()
        let first = try await TestApp { $0.timerClock = clock }
        let second = try first.anotherInstance()
        try await first.run { firstAPI in
            try await second.run { secondAPI in
                // Given eight scheduled data sources, made through both instances
                var sources: [Source] = []
                for index in 0..<8 {
                    sources.append(
                        try await Self.scheduledSource(index.isMultiple(of: 2) ? firstAPI : secondAPI, first)
                    )
                }
                // When two intervals pass, both instances' schedulers waking at once each time
                for round in 1...2 {
                    clock.advance(by: Self.quarterHour)
                    // Then each data source synced once per interval
                    for source in sources {
                        let syncs = try await Self.finishedSyncs(firstAPI, first, source, count: round)
                        #expect(syncs.count == round)
                        #expect(syncs.allSatisfy { $0["trigger"]?.string == "schedule" })
                    }
                }
            }
        }
    }

    @Test(.enabled(if: TestStore.isPostgres, "several instances share a PostgreSQL database"))
    func twoInstancesAskingAtOnceQueueEachDueScheduleOnce() async throws {
        let clock = ManualTimerClock()
        let first = try await TestApp { $0.timerClock = clock }
        let second = try first.anotherInstance()
        // Given twenty data sources whose schedules are due (their servers stopped)
        let sources = try await first.run { api in
            var sources: [Source] = []
            for _ in 0..<20 { sources.append(try await Self.scheduledSource(api, first)) }
            return sources
        }
        let due = clock.now().adding(Self.quarterHour)
        // When both instances' stores queue what is due at the same moment
        async let fromFirst = first.store.queueScheduledSyncs(now: due)
        async let fromSecond = second.store.queueScheduledSyncs(now: due)
        let queued = try await fromFirst + fromSecond
        // Then each schedule was taken by one of them, once
        #expect(queued == 20)
        try await first.run { api in
            for source in sources {
                let syncs = try await Self.syncs(api, first, source)
                #expect(syncs.count == 1)
            }
        }
    }
}
