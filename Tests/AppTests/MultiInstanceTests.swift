import Foundation
import Hummingbird
import Testing

@testable import App

/// Two instances on one PostgreSQL database behave as one service: each has its own client, listener, workers
/// and event streams, and what comes in through one is seen, claimed and joined through the other.
@Suite(.enabled(if: TestStore.isPostgres, "several instances share a PostgreSQL database"), .timeLimit(.minutes(1)))
struct MultiInstanceTests {
    @Test func anAgentOnOneInstanceSeesWithinASecondWhatAVisitorDidThroughAnother() async throws {
        let first = try await TestApp()
        let second = try first.anotherInstance()
        try await first.runLive { firstAPI, firstBase in
            try await second.runLive { secondAPI, _ in
                let (bot, agent) = try await Fixtures.botAndAgent(firstAPI, first)
                // Given an agent whose stream is on the first instance
                let stream = try await EventStreamReader(url: "\(firstBase)/api/v1/events", token: agent)
                #expect(try await stream.nextEvent()?.event == "ready")
                // When a visitor starts, writes and asks for a human through the second
                let started = ContinuousClock.now
                let conversation = try await secondAPI.startConversation(bot: bot)
                var seen = try await Self.events(stream, count: 1, after: started)
                let wrote = ContinuousClock.now
                _ = try await secondAPI.post(
                    "/api/v1/public/conversations/\(conversation["id"]!.string!)/messages",
                    key: conversation["visitorToken"]!.string!,
                    json: #"{"text": "Where is my order?"}"#
                )
                seen += try await Self.events(stream, count: 2, after: wrote)
                let escalated = ContinuousClock.now
                _ = try await secondAPI.escalate(conversation)
                seen += try await Self.events(stream, count: 1, after: escalated)
                // Then the agent saw each, in order, within a second
                #expect(
                    seen == [
                        "Bot", "user: Where is my order?", "bot: \(BotResponder.dontKnow(offeringHuman: true))",
                        "Escalated",
                    ]
                )
            }
        }
    }

    @Test func ofTwentyConcurrentClaimsSpreadOverTwoInstancesExactlyOneWins() async throws {
        let first = try await TestApp()
        let second = try first.anotherInstance()
        try await first.run { firstAPI in
            try await second.run { secondAPI in
                let (bot, _) = try await Fixtures.botAndAgent(firstAPI, first)
                var agents: [String] = []
                for index in 0..<20 {
                    let agent = try await firstAPI.createAgent(
                        name: "Agent \(index)",
                        email: "a\(index)@example.com",
                        key: first.ownerKey
                    )
                    agents.append(agent["token"]!.string!)
                }
                // Given an escalated conversation
                let conversation = try await firstAPI.startConversation(bot: bot)
                _ = try await secondAPI.escalate(conversation)
                // When twenty agents claim it at once, half through each instance
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for (index, agent) in agents.enumerated() {
                        let api = index.isMultiple(of: 2) ? firstAPI : secondAPI
                        group.addTask { try await api.act("claim", on: conversation, key: agent).status.code }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                // Then one wins and nineteen are told it is taken
                #expect(statuses.count(where: { $0 == 200 }) == 1)
                #expect(statuses.count(where: { $0 == 409 }) == 19)
            }
        }
    }

    @Test func triggersThroughTwoInstancesJoinOneQueuedJob() async throws {
        let first = try await TestApp { $0.allowPrivateTargets = true }
        let second = try first.anotherInstance()
        let site = TestWebsite()
        site.set("slow", TestWebsite.Page("<p>Slow page.</p>"))
        site.hold("slow")
        try await site.run { base in
            try await first.run { firstAPI in
                try await second.run { secondAPI in
                    let source = try await Fixtures.urlSource(firstAPI, first, rows: [("slow", "\(base)/slow")])
                    let hook = try await firstAPI.post(
                        "/api/v1/bots/\(source.bot)/hooks",
                        key: first.ownerKey,
                        json: #"{"type": "sync.trigger", "dataSourceId": "\#(source.id)"}"#
                    ).json
                    let path = try #require(URL(string: hook["triggerUrl"]!.string!)?.path)
                    // Given a sync running on one of the instances, so that the next one waits in the queue
                    _ = try await firstAPI.request(.post, "\(source.base)/syncs", key: first.ownerKey)
                    while site.hitCount("slow") == 0 { try await Task.sleep(for: .milliseconds(5)) }
                    // When ten triggers come at once, half through each instance
                    let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                        for index in 0..<10 {
                            let api = index.isMultiple(of: 2) ? firstAPI : secondAPI
                            group.addTask { try await api.get(path, key: nil).status.code }
                        }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                    #expect(statuses == Array(repeating: 200, count: 10))
                    // Then they all joined one queued job, which runs once the first is done
                    let history = try await secondAPI.get("\(source.base)/syncs", key: first.ownerKey).json
                    let jobs = history["data"]?.array ?? []
                    #expect(jobs.count == 2, "\(jobs.map { $0["status"] })")
                    site.release("slow")
                    _ = try await Fixtures.finished(firstAPI, first, id: try #require(jobs.last?["id"]?.string))
                    #expect(site.hitCount("slow") == 2)
                }
            }
        }
    }

    /// The next `count` events as the stream describes them (a conversation's state, a message's role and
    /// text), each required within a second of `since`.
    private static func events(
        _ stream: EventStreamReader,
        count: Int,
        after since: ContinuousClock.Instant
    ) async throws -> [String] {
        var seen: [String] = []
        for _ in 0..<count {
            let frame = try #require(try await stream.nextEvent())
            #expect(ContinuousClock.now - since < .seconds(1), "\(frame) came late")
            let data = try frame.json
            switch frame.event {
            case "conversation": seen.append(data["state"]!.string!)
            case "message":
                let message = data["message"]!
                seen.append("\(message["role"]!.string!): \(message["text"]!.string!)")
            default: Issue.record("unexpected \(frame)")
            }
        }
        return seen
    }
}
