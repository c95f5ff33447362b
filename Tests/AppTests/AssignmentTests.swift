import Foundation
import Testing

@testable import App

/// Automatic assignment (DESIGN.md §4, "Assignment"): escalations go to available, connected agents with room —
/// fewest active first, then the one whose last assignment is oldest — and wait in order when nobody has room.
@Suite(.timeLimit(.minutes(1))) struct AssignmentTests {
    /// An agent with their inbox stream open, as the inbox keeps it.
    struct ConnectedAgent {
        let id: String
        let token: String
        let stream: EventStreamReader
    }

    /// A bot with automatic assignment.
    static func autoBot(_ api: API, _ app: TestApp) async throws -> String {
        let bot = try await api.createBot(humanTakeoverEnabled: true, key: app.ownerKey)["id"]!.string!
        let reply = try await api.patch("/api/v1/bots/\(bot)", key: app.ownerKey, json: #"{"assignment": "auto"}"#)
        #expect(try reply.json["assignment"]?.string == "auto")
        return bot
    }

    static func agent(
        _ api: API,
        _ app: TestApp,
        _ name: String,
        capacity: Int = 3
    ) async throws -> (id: String, token: String) {
        let reply = try await api.post(
            "/api/v1/agents",
            key: app.ownerKey,
            json: #"{"name": "\#(name)", "email": "\#(name.lowercased())@example.com", "capacity": \#(capacity)}"#
        )
        #expect(reply.status == .created, "\(reply.text)")
        return (try reply.json["id"]!.string!, try reply.json["token"]!.string!)
    }

    /// Opens the agent's inbox stream and waits until the workspace sees them connected.
    static func connect(
        _ api: API,
        _ app: TestApp,
        base: String,
        _ agent: (id: String, token: String)
    ) async throws -> ConnectedAgent {
        let stream = try await EventStreamReader(
            url: "\(base)/api/v1/events",
            token: agent.token,
            deadline: .seconds(60)
        )
        #expect(try await stream.nextEvent()?.event == "ready")
        _ = try await Fixtures.eventually(api, "/api/v1/agents/\(agent.id)", key: app.ownerKey) {
            $0["connected"]?.bool == true
        }
        return ConnectedAgent(id: agent.id, token: agent.token, stream: stream)
    }

    static func escalated(_ api: API, bot: String) async throws -> JSONValue {
        let conversation = try await api.startConversation(bot: bot)
        let reply = try await api.escalate(conversation)
        #expect(reply.status == .ok, "\(reply.text)")
        return conversation.merging(try reply.json)
    }

    static func state(_ api: API, _ app: TestApp, _ conversation: JSONValue) async throws -> JSONValue {
        try await api.get(HandoffTimerTests.conversationPath(conversation), key: app.ownerKey).json
    }

    @Test func escalationsGoToTheAgentWithTheFewestActiveThenTheOneWaitingLongest() async throws {
        let app = try await TestApp()
        try await app.runLive { api, base in
            // Given an auto-assigning bot and two connected, available agents
            let bot = try await Self.autoBot(api, app)
            let jane = try await Self.connect(api, app, base: base, try await Self.agent(api, app, "Jane"))
            let bob = try await Self.connect(api, app, base: base, try await Self.agent(api, app, "Bob"))
            // When three visitors ask for a human
            var owners: [String] = []
            for _ in 0..<3 {
                let conversation = try await Self.escalated(api, bot: bot)
                // Then each is Active at once, as the escalation answers
                #expect(conversation["state"]?.string == "Active")
                owners.append(try #require(conversation["claimedBy"]?["name"]?.string))
            }
            // The first two go one to each (fewest active), the third to whoever got theirs first (waited longest)
            #expect(Set(owners.prefix(2)) == ["Jane", "Bob"])
            #expect(owners[2] == owners[0])
            // And the agents show their load
            let loads = try await api.get("/api/v1/agents", key: app.ownerKey).json["data"]!.array!
                .map { ($0["id"]!.string!, $0["activeConversations"]!.int!) }
            #expect(Dictionary(uniqueKeysWithValues: loads)[owners[0] == "Jane" ? jane.id : bob.id] == 2)
        }
    }

    @Test func withNobodyFreeEscalationsWaitInOrderAndGoWhenAnAgentFreesUp() async throws {
        let app = try await TestApp()
        try await app.runLive { api, base in
            // Given Jane, connected, with room for one
            let bot = try await Self.autoBot(api, app)
            let jane = try await Self.connect(api, app, base: base, try await Self.agent(api, app, "Jane", capacity: 1))
            let first = try await Self.escalated(api, bot: bot)
            #expect(first["claimedBy"]?["name"]?.string == "Jane")
            // When two more ask while she is busy, they wait
            let second = try await Self.escalated(api, bot: bot)
            let third = try await Self.escalated(api, bot: bot)
            #expect(second["state"]?.string == "Escalated" && third["state"]?.string == "Escalated")
            // When she releases the first
            #expect(try await api.act("release", on: first, key: jane.token).status == .ok)
            // Then the one waiting longest is hers, and the other still waits
            #expect(try await Self.state(api, app, second)["claimedBy"]?["name"]?.string == "Jane")
            #expect(try await Self.state(api, app, third)["state"]?.string == "Escalated")
        }
    }

    @Test func anAwayOrUnconnectedAgentGetsNothingUntilTheyAreBack() async throws {
        let app = try await TestApp()
        try await app.runLive { api, base in
            let bot = try await Self.autoBot(api, app)
            // Given Jane connected but away, and Bob available but with no inbox open
            let jane = try await Self.connect(api, app, base: base, try await Self.agent(api, app, "Jane"))
            let away = try await api.patch("/api/v1/agents/me", key: jane.token, json: #"{"status": "away"}"#)
            #expect(try away.json["status"]?.string == "away")
            let bob = try await Self.agent(api, app, "Bob")
            // When a visitor asks for a human, nobody gets it
            let conversation = try await Self.escalated(api, bot: bot)
            #expect(conversation["state"]?.string == "Escalated")
            // When Bob opens his inbox, it is his
            let bobsInbox = try await Self.connect(api, app, base: base, bob)
            let assigned = try await Fixtures.eventually(
                api,
                HandoffTimerTests.conversationPath(conversation),
                key: app.ownerKey
            ) {
                $0["state"]?.string == "Active"
            }
            #expect(assigned["claimedBy"]?["name"]?.string == "Bob")
            // And when Jane comes back, the next is hers (Bob has one, she none)
            _ = try await api.patch("/api/v1/agents/me", key: jane.token, json: #"{"status": "available"}"#)
            let next = try await Self.escalated(api, bot: bot)
            #expect(next["claimedBy"]?["name"]?.string == "Jane")
            withExtendedLifetime(bobsInbox) {}
        }
    }

    @Test func aClaimByHandStillWorksWithAutomaticAssignment() async throws {
        let app = try await TestApp()
        try await app.run { api in
            // Given an auto-assigning bot and no agent connected
            let bot = try await Self.autoBot(api, app)
            let jane = try await Self.agent(api, app, "Jane")
            let conversation = try await Self.escalated(api, bot: bot)
            #expect(conversation["state"]?.string == "Escalated")
            // When Jane claims it from the queue, it is hers
            let claimed = try await api.act("claim", on: conversation, key: jane.token)
            #expect(try claimed.json["claimedBy"]?["name"]?.string == "Jane")
        }
    }

    @Test func statusAndCapacityAreValidatedAndEachSetByItsOwnRole() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let jane = try await Self.agent(api, app, "Jane")
            let path = "/api/v1/agents/\(jane.id)"
            // An agent sets only their own status; an owner sets capacity
            #expect(
                try await api.patch("/api/v1/agents/me", key: jane.token, json: #"{"status": "busy"}"#).status
                    == .unprocessableContent
            )
            #expect(
                try await api.patch("/api/v1/agents/me", key: app.ownerKey, json: #"{"status": "away"}"#).status
                    == .forbidden
            )
            #expect(try await api.patch(path, key: jane.token, json: #"{"capacity": 9}"#).status == .forbidden)
            #expect(
                try await api.patch(path, key: app.ownerKey, json: #"{"capacity": 0}"#).status == .unprocessableContent
            )
            let raised = try await api.patch(path, key: app.ownerKey, json: #"{"capacity": 5}"#).json
            #expect(raised["capacity"]?.int == 5)
            #expect(try await api.get("/api/v1/agents/me", key: jane.token).json["capacity"]?.int == 5)
        }
    }

    @Test(.enabled(if: TestStore.isPostgres, "several instances share a PostgreSQL database"))
    func twoInstancesNeverGiveAnAgentMoreThanTheirCapacity() async throws {
        let first = try await TestApp()
        let second = try first.anotherInstance()
        try await first.runLive { firstAPI, firstBase in
            try await second.run { secondAPI in
                // Given Jane, connected to the first instance, with room for two
                let bot = try await Self.autoBot(firstAPI, first)
                let jane = try await Self.connect(
                    firstAPI,
                    first,
                    base: firstBase,
                    try await Self.agent(firstAPI, first, "Jane", capacity: 2)
                )
                // When ten visitors ask for a human at once, half through each instance
                let conversations = try await withThrowingTaskGroup(of: JSONValue.self) { group in
                    for index in 0..<10 {
                        let api = index.isMultiple(of: 2) ? firstAPI : secondAPI
                        group.addTask { try await Self.escalated(api, bot: bot) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                // Then she has two and eight wait
                var states: [String] = []
                for conversation in conversations {
                    states.append(try await Self.state(firstAPI, first, conversation)["state"]!.string!)
                }
                #expect(states.count { $0 == "Active" } == 2)
                #expect(states.count { $0 == "Escalated" } == 8)
                withExtendedLifetime(jane) {}  // her inbox stays open throughout
            }
        }
    }
}

extension JSONValue {
    /// This object with `other`'s fields laid over it.
    func merging(_ other: JSONValue) -> JSONValue {
        guard case .object(let mine) = self, case .object(let theirs) = other else { return other }
        return .object(mine.merging(theirs) { $1 })
    }
}
