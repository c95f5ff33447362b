import Foundation
import Testing

@testable import App

/// A running sync's progress on its job and on the owner's event stream (DESIGN.md §7, "Progress").
@Suite struct SyncProgressTests {
    /// The `sync` events of the stream until the job ends (heartbeats and other events skipped).
    static func syncEvents(_ stream: EventStreamReader, until status: Set<String>) async throws -> [JSONValue] {
        var events: [JSONValue] = []
        while let frame = try await stream.nextEvent() {
            guard frame.event == "sync" else { continue }
            let job = try frame.json
            events.append(job)
            if status.contains(job["status"]?.string ?? "") { break }
        }
        return events
    }

    @Test func aRunningSyncShowsItsProgressOnTheJobAndOnTheOwnersStreamEachSecond() async throws {
        let app = try await TestApp { $0.allowPrivateTargets = true }
        let site = TestWebsite()
        for index in 1...8 {
            site.set("page\(index)", .init("<title>Page \(index)</title><p>Text of page \(index).</p>"))
        }
        site.hold("page8")
        try await site.run { base in
            try await app.runLive { api, live in
                // Given an owner watching the workspace's events, and a url data source of eight pages
                let source = try await Fixtures.urlSource(
                    api,
                    app,
                    rows: (1...8).map { (key: "page\($0)", url: "\(base)/page\($0)") }
                )
                let stream = try await EventStreamReader(
                    url: "\(live)/api/v1/events",
                    token: app.ownerKey,
                    deadline: .seconds(30)
                )
                #expect(try await stream.nextEvent()?.event == "ready")
                // When a sync starts and the last page is slow to answer
                let started = try await api.request(.post, "\(source.base)/syncs", key: app.ownerKey).json
                let id = try #require(started["id"]?.string)
                // Then the job shows how far it has come: fetching, seven of eight pages
                let waiting = try await Fixtures.eventually(api, "/api/v1/syncs/\(id)", key: app.ownerKey) {
                    $0["progress"]?["rowsDone"]?.int == 7
                }
                #expect(waiting["status"]?.string == "running")
                #expect(waiting["progress"]?["phase"]?.string == "fetching")
                #expect(waiting["progress"]?["rowsTotal"]?.int == 8)
                // And while it waits, the stream hears of it at least once a second
                try await Task.sleep(for: .milliseconds(2500))
                site.release("page8")
                let events = try await Self.syncEvents(stream, until: ["succeeded", "failed"])
                let stuck = events.filter {
                    $0["progress"]?["rowsDone"]?.int == 7 && $0["progress"]?["phase"]?.string == "fetching"
                }
                #expect(stuck.count >= 2, "\(events)")
                // And the phases come in order, each counting up, to the end with its results
                let phases = events.compactMap { $0["progress"]?["phase"]?.string }
                #expect(phases.firstIndex(of: "tokenizing").map { $0 > phases.lastIndex(of: "fetching")! } ?? true)
                let fetched = events.filter { $0["progress"]?["phase"]?.string == "fetching" }.compactMap {
                    $0["progress"]?["rowsDone"]?.int
                }
                #expect(fetched == fetched.sorted())
                let last = try #require(events.last)
                #expect(last["id"]?.string == id && last["status"]?.string == "succeeded")
                #expect(last["progress"] == .null)
                #expect(last["results"]?["totalDataSourceRows"]?.int == 8)
                #expect(try await api.get("/api/v1/syncs/\(id)", key: app.ownerKey).json["progress"] == .null)
            }
        }
    }

    @Test func agentsDoNotSeeSyncs() async throws {
        let app = try await TestApp()
        try await app.runLive { api, live in
            // Given an agent watching the workspace
            let (_, agent) = try await Fixtures.botAndAgent(api, app)
            let stream = try await EventStreamReader(url: "\(live)/api/v1/events", token: agent)
            #expect(try await stream.nextEvent()?.event == "ready")
            // When a sync runs to its end, then a conversation starts
            let source = try await Fixtures.textSource(api, app)
            try await Fixtures.putRows(api, app, source, [("a", "Alpha row.")])
            _ = try await Fixtures.sync(api, app, source)
            let bot = try await api.createBot(name: "Other", key: app.ownerKey)["id"]!.string!
            _ = try await api.startConversation(bot: bot)
            // Then the agent's next event is the conversation, not the sync
            #expect(try await stream.nextEvent()?.event == "conversation")
        }
    }

    @Test(.enabled(if: TestStore.isPostgres, "several instances share a PostgreSQL database"))
    func aSyncsProgressReachesTheOtherInstances() async throws {
        let first = try await TestApp()
        let second = try first.anotherInstance()
        try await first.run { _ in
            try await second.run { _ in
                // Given the first instance listening for other instances' syncs
                let heard = first.store.syncAnnouncements.subscribe()
                // When the second tells of a running sync's progress
                var job = SyncJob.queued(
                    DataSource.new(
                        DataSourceSettings(name: "Pages", type: .url, chunkTokens: 64, createdAt: .now()),
                        botID: newID(),
                        workspaceID: newID()
                    ),
                    trigger: .api
                )
                job.status = .running
                job.progress = SyncProgress(rowsDone: 3, rowsTotal: 10, tokens: 120, phase: .fetching)
                try await second.store.announce(job)
                // Then the first hears it, progress and all
                var iterator = heard.makeAsyncIterator()
                let received = await iterator.next()
                #expect(received?.id == job.id)
                #expect(received?.progress == job.progress)
            }
        }
    }
}
