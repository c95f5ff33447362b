import Foundation
import Testing

@testable import App

/// A model of the handoff (DESIGN.md §4), driven against the app with random sequences of start, escalate, claim,
/// release, transfer, expiry, idle release and automatic assignment over many conversations and agents. After
/// every step each conversation's state and agent are what the model says; at the end each conversation's hook
/// events are exactly the model's, in order, numbered 1, 2, 3….
///
/// Two workspaces keep every outcome predictable: in one, a bot with automatic assignment and connected agents
/// (no timers); in the other, a bot whose agents claim by hand, with an escalation timeout and an idle timer.
@Suite(.timeLimit(.minutes(2))) struct HandoffModelTests {
    static let timeout = 100
    static let idle = 300

    /// What the model knows of a conversation.
    struct Modelled {
        let id: String
        let token: String
        let auto: Bool
        var state: ConversationState = .bot
        var agent: Int?
        var escalatedAt = 0
        var activeSince = 0
        var events = ["conversation.started"]
    }

    /// An agent: their token, and when assignment last gave them a conversation (as the store keeps it, to the
    /// millisecond).
    /// Each step frees at most one slot, so an assignment never has to choose between two agents both taking one
    /// in the same step.
    struct ModelAgent {
        let id: String
        let token: String
        let auto: Bool
        var lastTaken: Int64 = 0
    }

    /// A small deterministic generator, so a failing sequence can be run again from its seed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: (1...4).map { 0x5EED_0000 + UInt64($0) })
    func randomHandoffsFollowTheTransitionTable(seed: UInt64) async throws {
        let clock = ManualTimerClock()
        let app = try await TestApp {
            $0.timerClock = clock
            $0.allowPrivateTargets = true
        }
        try await app.runLive { api, base in
            var random = SplitMix(state: seed)
            // Given an auto-assigning bot with three connected agents (room for two each) in Acme…
            let autoBot = try await AssignmentTests.autoBot(api, app)
            var agents: [ModelAgent] = []
            var inboxes: [AssignmentTests.ConnectedAgent] = []
            for index in 0..<3 {
                let agent = try await AssignmentTests.agent(api, app, "Auto\(index)", capacity: 2)
                inboxes.append(try await AssignmentTests.connect(api, app, base: base, agent))
                agents.append(ModelAgent(id: agent.id, token: agent.token, auto: true))
            }
            // …and in Other a bot whose three agents claim by hand, with a timeout and an idle timer
            let claimBot = try await api.createBot(humanTakeoverEnabled: true, key: app.otherOwnerKey)["id"]!.string!
            _ = try await api.patch(
                "/api/v1/bots/\(claimBot)",
                key: app.otherOwnerKey,
                json: #"{"escalationTimeoutSeconds": \#(Self.timeout), "idleReleaseSeconds": \#(Self.idle)}"#
            )
            for index in 0..<3 {
                let agent = try await api.createAgent(
                    name: "Hand\(index)",
                    email: "hand\(index)@example.com",
                    key: app.otherOwnerKey
                )
                agents.append(ModelAgent(id: agent["id"]!.string!, token: agent["token"]!.string!, auto: false))
            }
            for (bot, key) in [(autoBot, app.ownerKey), (claimBot, app.otherOwnerKey)] {
                for type in HookType.allCases where type.rawValue.hasPrefix("conversation.") {
                    _ = try await Fixtures.hook(
                        api,
                        key: key,
                        bot: bot,
                        #"{"type": "\#(type.rawValue)", "targetUrl": "http://127.0.0.1:9/", "enabled": false}"#
                    )
                }
            }
            var conversations: [Modelled] = []
            var now = 0  // seconds the clock has been moved
            /// The conversation an agent took in this step, whose `claimedAt` is the agent's last time.
            var taken: Int?

            /// Assigns the auto workspace's waiting escalations as the server must: oldest first, to the agent
            /// with the fewest active under capacity, then the one whose last assignment is oldest, then by id.
            func assignWaiting() {
                while let waiting = conversations.indices.filter({
                    conversations[$0].auto && conversations[$0].state == .escalated
                }).min(by: { conversations[$0].escalatedAt < conversations[$1].escalatedAt }) {
                    let loads = agents.indices.map { agent in
                        conversations.count { $0.state == .active && $0.agent == agent }
                    }
                    guard
                        let agent = agents.indices.filter({ agents[$0].auto && loads[$0] < 2 })
                            .min(by: {
                                (loads[$0], agents[$0].lastTaken, agents[$0].id)
                                    < (loads[$1], agents[$1].lastTaken, agents[$1].id)
                            })
                    else { return }
                    conversations[waiting].state = .active
                    conversations[waiting].agent = agent
                    conversations[waiting].activeSince = now
                    conversations[waiting].events.append("conversation.claimed")
                    agents[agent].lastTaken = .max  // the newest; read back from the store below
                    taken = waiting
                }
            }

            /// Reads each conversation back and checks it against the model; learns when agents took theirs.
            func check(after step: String) async throws {
                for conversation in conversations {
                    let key = conversation.auto ? app.ownerKey : app.otherOwnerKey
                    let actual = try await api.get("/api/v1/conversations/\(conversation.id)", key: key).json
                    #expect(actual["state"]?.string == conversation.state.rawValue, "\(step): \(conversation.id)")
                    let agentID = actual["claimedBy"]?["id"]?.string
                    if conversation.state == .active {
                        #expect(agentID == conversation.agent.map { agents[$0].id }, "\(step): who has it")
                    }
                    if conversation.id == taken.map({ conversations[$0].id }), let agent = conversation.agent,
                        let claimedAt = actual["claimedAt"]?.string.flatMap(Timestamp.init(iso8601:))
                    {
                        agents[agent].lastTaken = claimedAt.millisecondsSince1970
                    }
                }
            }

            for step in 0..<100 {
                taken = nil
                // Mostly starts until there are a few conversations to work with
                let roll =
                    conversations.count < 6 && Bool.random(using: &random) ? 0 : Int.random(in: 0..<100, using: &random)
                let pick = { (filter: (Modelled) -> Bool) -> Int? in
                    let candidates = conversations.indices.filter { filter(conversations[$0]) }
                    return candidates.isEmpty ? nil : candidates[Int.random(in: 0..<candidates.count, using: &random)]
                }
                var action = "nothing"
                switch roll {
                case 0..<15:
                    let auto = Bool.random(using: &random)
                    let started = try await api.startConversation(bot: auto ? autoBot : claimBot)
                    conversations.append(
                        Modelled(id: started["id"]!.string!, token: started["visitorToken"]!.string!, auto: auto)
                    )
                    action = "start"
                case 15..<40:
                    guard let index = pick({ $0.state == .bot || $0.state == .resolved }) else { break }
                    let reply = try await api.post(
                        "/api/v1/public/conversations/\(conversations[index].id)/escalate",
                        key: conversations[index].token,
                        json: #"{"userEmail": "visitor@example.com"}"#
                    )
                    #expect(reply.status == .ok)
                    conversations[index].state = .escalated
                    conversations[index].escalatedAt = now
                    conversations[index].agent = nil
                    conversations[index].events.append("conversation.escalated")
                    if conversations[index].auto { assignWaiting() }
                    action = "escalate"
                case 40..<55:
                    // A claim by hand, of a waiting conversation or (refused) of one that is not
                    guard let index = pick({ _ in true }) else { break }
                    let candidates = agents.indices.filter { agents[$0].auto == conversations[index].auto }
                    let agent = candidates[Int.random(in: 0..<candidates.count, using: &random)]
                    let reply = try await api.request(
                        .post,
                        "/api/v1/conversations/\(conversations[index].id)/claim",
                        key: agents[agent].token
                    )
                    if conversations[index].state == .escalated {
                        #expect(reply.status == .ok, "\(reply.text)")
                        conversations[index].state = .active
                        conversations[index].agent = agent
                        conversations[index].activeSince = now
                        conversations[index].events.append("conversation.claimed")
                    } else {
                        #expect(reply.status == .conflict && reply.errorCode == "invalid_transition")
                    }
                    action = "claim"
                case 55..<70:
                    guard let index = pick({ $0.state == .active }), let agent = conversations[index].agent else {
                        break
                    }
                    let reply = try await api.request(
                        .post,
                        "/api/v1/conversations/\(conversations[index].id)/release",
                        key: agents[agent].token
                    )
                    #expect(reply.status == .ok)
                    conversations[index].state = .resolved
                    conversations[index].events.append("conversation.released")
                    if conversations[index].auto { assignWaiting() }
                    action = "release"
                case 70..<80:
                    guard let index = pick({ $0.state == .active }), let from = conversations[index].agent else {
                        break
                    }
                    let others = agents.indices.filter { agents[$0].auto == conversations[index].auto && $0 != from }
                    let to = others[Int.random(in: 0..<others.count, using: &random)]
                    let reply = try await api.post(
                        "/api/v1/conversations/\(conversations[index].id)/transfer",
                        key: agents[from].token,
                        json: #"{"agentId": "\#(agents[to].id)"}"#
                    )
                    #expect(reply.status == .ok, "\(reply.text)")
                    conversations[index].agent = to
                    conversations[index].activeSince = now
                    conversations[index].events.append("conversation.transferred")
                    if conversations[index].auto { assignWaiting() }
                    action = "transfer"
                default:
                    // Time passes: the hand-claimed bot's escalations expire and its quiet conversations go idle
                    let seconds = [30, 120, 400][Int.random(in: 0..<3, using: &random)]
                    clock.advance(by: .seconds(seconds))
                    now += seconds
                    for index in conversations.indices where !conversations[index].auto {
                        if conversations[index].state == .escalated,
                            conversations[index].escalatedAt + Self.timeout <= now
                        {
                            conversations[index].state = .bot
                            conversations[index].events += ["conversation.escalation_expired", "conversation.message"]
                        }
                        if conversations[index].state == .active, conversations[index].activeSince + Self.idle <= now {
                            conversations[index].state = .resolved
                            conversations[index].events.append("conversation.released")
                        }
                    }
                    // Wait for the worker: nothing of Other's is due any more
                    let deadline = ContinuousClock.now + .seconds(15)
                    while try await !app.store.dueHandoffTimers(now: clock.now(), limit: 1).isEmpty,
                        ContinuousClock.now < deadline
                    {
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    action = "advance \(seconds) s"
                }
                try await check(after: "step \(step) (\(action))")
            }

            // Then every conversation's events, as its hooks got them, are the model's, in order, numbered 1…n
            let deliveries = try await app.records(
                Delivery.self,
                "SELECT * FROM delivery WHERE conversationId IS NOT NULL",
                []
            )
            let byConversation = Dictionary(grouping: deliveries) { $0.conversationId ?? "" }
            for conversation in conversations {
                let events = (byConversation[conversation.id] ?? []).sorted { ($0.sequence ?? 0) < ($1.sequence ?? 0) }
                #expect(events.map(\.event) == conversation.events, "\(conversation.id)")
                #expect(events.map { $0.sequence ?? 0 } == Array(1...conversation.events.count))
            }
            #expect(conversations.count > 5)
            withExtendedLifetime(inboxes) {}
        }
    }
}
