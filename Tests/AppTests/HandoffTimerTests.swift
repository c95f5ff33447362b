import Foundation
import Testing

@testable import App

/// The handoff timers (DESIGN.md §4, "Timers"), on an injected clock the tests move: nothing sleeps through a wait.
@Suite struct HandoffTimerTests {
    /// An app on `clock` whose bot has human takeover, `settings` (a PATCH body) and a hook for each of `events`
    /// pointing at `target`; answers the bot's id and Jane's agent token.
    static func handoffBot(
        _ api: API,
        _ app: TestApp,
        settings: String,
        events: [String] = [],
        target: String = ""
    ) async throws -> (bot: String, jane: String) {
        let (bot, jane) = try await Fixtures.botAndAgent(api, app)
        let patched = try await api.patch("/api/v1/bots/\(bot)", key: app.ownerKey, json: settings)
        #expect(patched.status == .ok, "\(patched.text)")
        for event in events {
            _ = try await Fixtures.hook(
                api,
                key: app.ownerKey,
                bot: bot,
                #"{"type": "\#(event)", "targetUrl": \#(jsonString(target))}"#
            )
        }
        return (bot, jane)
    }

    static func conversationPath(_ conversation: JSONValue) -> String {
        "/api/v1/conversations/\(conversation["id"]!.string!)"
    }

    /// The conversation once it is in `state`, through the owner's API.
    static func waitForState(
        _ api: API,
        _ app: TestApp,
        _ conversation: JSONValue,
        _ state: String
    ) async throws -> JSONValue {
        try await Fixtures.eventually(api, conversationPath(conversation), key: app.ownerKey) {
            $0["state"]?.string == state
        }
    }

    /// Bodies of the bot's deliveries of `event`, from the delivery log of every hook of the bot.
    static func payloads(_ api: API, _ app: TestApp, bot: String, event: String) async throws -> [JSONValue] {
        var found: [JSONValue] = []
        for hook in try await api.get("/api/v1/bots/\(bot)/hooks", key: app.ownerKey).json["data"]!.array! {
            let log = try await api.get(
                Fixtures.deliveryPath(bot: bot, hook: hook) + "?event=\(event)",
                key: app.ownerKey
            ).json
            for delivery in log["data"]?.array ?? [] {
                let detail = try await api.get(
                    Fixtures.deliveryPath(bot: bot, hook: hook, id: delivery["id"]!.string!),
                    key: app.ownerKey
                ).json
                found.append(try #require(detail["payload"]))
            }
        }
        return found
    }

    @Test func anEscalationNobodyClaimsInTimeGoesBackToTheBotWhichTellsTheVisitor() async throws {
        let clock = ManualTimerClock()
        let app = try await TestApp {
            $0.allowPrivateTargets = true
            $0.timerClock = clock
        }
        let receiver = TestReceiver()
        try await receiver.run { target in
            try await app.run { api in
                // Given a bot whose escalations expire after two minutes, with its own words for it
                let (bot, _) = try await Self.handoffBot(
                    api,
                    app,
                    settings: #"""
                        {"escalationTimeoutSeconds": 120,
                         "escalationExpiredMessage": "Nobody is here right now; we will write to {email}."}
                        """#,
                    events: ["conversation.escalation_expired"],
                    target: target
                )
                let conversation = try await api.startConversation(bot: bot)
                let escalated = try await api.escalate(conversation).json
                #expect(escalated["expiresAt"] == nil, "a visitor does not see the deadline")
                let staffView = try await api.get(Self.conversationPath(conversation), key: app.ownerKey).json
                #expect(staffView["expiresAt"]?.string != nil)
                // When a minute passes, nothing is due yet
                clock.advance(by: .seconds(60))
                #expect(try await app.store.dueHandoffTimers(now: clock.now(), limit: 10).isEmpty)
                // When the two minutes are up
                clock.advance(by: .seconds(61))
                // Then the conversation is the bot's again, and the bot told the visitor in the owner's words
                let expired = try await Self.waitForState(api, app, conversation, "Bot")
                #expect(expired["expiresAt"] == .null)
                let transcript = try await api.get(Self.conversationPath(conversation) + "/messages", key: app.ownerKey)
                    .json["data"]!.array!
                #expect(transcript.last?["role"]?.string == "bot")
                #expect(
                    transcript.last?["text"]?.string == "Nobody is here right now; we will write to user@example.com."
                )
                // And the hook heard of it once, with how long the visitor waited
                let received = try await receiver.waitForRequests(1)
                let payload = try JSONDecoder().decode(JSONValue.self, from: Data(received[0].body.utf8))
                #expect(payload["event"]?.string == "conversation.escalation_expired")
                #expect(payload["conversation"]?["state"]?.string == "Bot")
                #expect(payload["userEmail"]?.string == "user@example.com")
                #expect((payload["waitedSeconds"]?.int ?? 0) >= 120)
                #expect(payload["sequence"]?.int == 3)  // started, escalated, expired
                #expect(receiver.schemaViolations.isEmpty, "\(receiver.schemaViolations)")
                // And an agent can no longer claim it
                #expect(try await api.act("claim", on: conversation, key: Self.agent(api, app)).status == .conflict)
            }
        }
    }

    @Test func aClaimInTimeStopsTheEscalationTimeout() async throws {
        let clock = ManualTimerClock()
        let app = try await TestApp { $0.timerClock = clock }
        try await app.run { api in
            // Given an escalation that would expire after a minute
            let (bot, jane) = try await Self.handoffBot(api, app, settings: #"{"escalationTimeoutSeconds": 60}"#)
            let conversation = try await api.startConversation(bot: bot)
            _ = try await api.escalate(conversation)
            // When Jane claims it in time and the minute passes
            let claimed = try await api.act("claim", on: conversation, key: jane).json
            #expect(claimed["expiresAt"] == .null)
            clock.advance(by: .seconds(120))
            // Then nothing is due, and it stays Active
            #expect(try await app.store.dueHandoffTimers(now: clock.now(), limit: 10).isEmpty)
            #expect(try await api.get(Self.conversationPath(conversation), key: jane).json["state"]?.string == "Active")
        }
    }

    @Test func anActiveConversationNobodyWritesInIsReleasedAsIdle() async throws {
        let clock = ManualTimerClock()
        let app = try await TestApp {
            $0.allowPrivateTargets = true
            $0.timerClock = clock
        }
        let receiver = TestReceiver()
        try await receiver.run { target in
            try await app.run { api in
                // Given a bot that releases an active conversation after five quiet minutes, and Jane on one
                let (bot, jane) = try await Self.handoffBot(
                    api,
                    app,
                    settings: #"{"idleReleaseSeconds": 300}"#,
                    events: ["conversation.released"],
                    target: target
                )
                let conversation = try await api.startConversation(bot: bot)
                _ = try await api.escalate(conversation)
                _ = try await api.act("claim", on: conversation, key: jane)
                // When the visitor writes after four minutes, the five start again
                clock.advance(by: .seconds(240))
                _ = try await Fixtures.say(api, conversation, "Are you still there?")
                clock.advance(by: .seconds(240))
                #expect(try await app.store.dueHandoffTimers(now: clock.now(), limit: 10).isEmpty)
                // When five minutes pass with nobody writing
                clock.advance(by: .seconds(61))
                // Then it is released, the hook saying why and whose it was
                let released = try await Self.waitForState(api, app, conversation, "Resolved")
                #expect(released["idleReleaseAt"] == .null)
                let payload = try JSONDecoder().decode(
                    JSONValue.self,
                    from: Data(try await receiver.waitForRequests(1)[0].body.utf8)
                )
                #expect(payload["reason"]?.string == "idle")
                #expect(payload["agent"]?["name"]?.string == "Jane")
                #expect(receiver.schemaViolations.isEmpty, "\(receiver.schemaViolations)")
            }
        }
    }

    @Test func aReleaseByHandSaysItWasTheAgent() async throws {
        let app = try await TestApp { $0.allowPrivateTargets = true }
        let receiver = TestReceiver()
        try await receiver.run { target in
            try await app.run { api in
                // Given an active conversation of a bot with a released hook
                let (bot, jane) = try await Self.handoffBot(
                    api,
                    app,
                    settings: "{}",
                    events: ["conversation.released"],
                    target: target
                )
                let conversation = try await api.startConversation(bot: bot)
                _ = try await api.escalate(conversation)
                _ = try await api.act("claim", on: conversation, key: jane)
                // When Jane releases it
                #expect(try await api.act("release", on: conversation, key: jane).status == .ok)
                // Then the hook says a person did
                let body = try await receiver.waitForRequests(1)[0].body
                #expect(try JSONDecoder().decode(JSONValue.self, from: Data(body.utf8))["reason"]?.string == "agent")
            }
        }
    }

    @Test func aMissedFirstResponseFiresOnceSayingWhichAndByHowMuch() async throws {
        let clock = ManualTimerClock()
        let app = try await TestApp {
            $0.allowPrivateTargets = true
            $0.timerClock = clock
        }
        try await TestReceiver().run { target in
            try await app.run { api in
                // Given a one-minute first-response SLA and three escalations
                let (bot, jane) = try await Self.handoffBot(
                    api,
                    app,
                    settings: #"{"firstResponseSlaSeconds": 60}"#,
                    events: ["conversation.sla_breached"],
                    target: target
                )
                var conversations: [JSONValue] = []
                for _ in 0..<3 {
                    let conversation = try await api.startConversation(bot: bot)
                    _ = try await api.escalate(conversation)
                    conversations.append(conversation)
                }
                // When nobody claims the first, Jane claims the second but does not write, and answers the third
                _ = try await api.act("claim", on: conversations[1], key: jane)
                _ = try await api.act("claim", on: conversations[2], key: jane)
                let reply = try await api.post(
                    Self.conversationPath(conversations[2]) + "/messages",
                    key: jane,
                    json: #"{"text": "Hello, I am Jane."}"#
                )
                #expect(reply.status == .created)
                clock.advance(by: .seconds(90))
                // Then two breaches fire, each saying which response was missed and by how much
                let breaches = try await Self.eventuallyPayloads(
                    api,
                    app,
                    bot: bot,
                    event: "conversation.sla_breached",
                    count: 2
                )
                let byConversation = Dictionary(
                    uniqueKeysWithValues: breaches.map { ($0["conversation"]!["id"]!.string!, $0) }
                )
                let unclaimed = try #require(byConversation[conversations[0]["id"]!.string!])
                #expect(unclaimed["breach"]?.string == "claim")
                #expect(unclaimed["slaSeconds"]?.int == 60)
                #expect((unclaimed["overdueSeconds"]?.double ?? 0) >= 29)
                let unanswered = try #require(byConversation[conversations[1]["id"]!.string!])
                #expect(unanswered["breach"]?.string == "reply")
                #expect(unanswered["agent"]?["name"]?.string == "Jane")
                #expect(byConversation[conversations[2]["id"]!.string!] == nil)
                // And once only: more time passing fires nothing more
                clock.advance(by: .seconds(600))
                #expect(try await app.store.dueHandoffTimers(now: clock.now(), limit: 10).isEmpty)
                #expect(try await Self.payloads(api, app, bot: bot, event: "conversation.sla_breached").count == 2)
                // And the wait to the first reply is measured
                let metrics = try await api.get("/metrics", key: nil).text
                #expect(metrics.contains("conversation_escalation_to_first_agent_reply_seconds_count 1"))
                #expect(metrics.contains(#"conversation_timers_fired_total{timer="first_response_sla"} 2"#))
            }
        }
    }

    @Test func aTimerStillRunningWhenTheServerStopsFiresOnceAfterItStartsAgain() async throws {
        let clock = ManualTimerClock()
        let app = try await TestApp { $0.timerClock = clock }
        // Given an escalation with a two-minute timeout, and the server stopped a minute into it
        let conversation = try await app.run { api in
            let (bot, _) = try await Self.handoffBot(api, app, settings: #"{"escalationTimeoutSeconds": 120}"#)
            let conversation = try await api.startConversation(bot: bot)
            _ = try await api.escalate(conversation)
            clock.advance(by: .seconds(60))
            return conversation
        }
        // When the deadline passes while it is down, and it starts again
        clock.advance(by: .seconds(600))
        try await app.run { api in
            // Then the escalation expires at once, once
            _ = try await Self.waitForState(api, app, conversation, "Bot")
            let transcript = try await api.get(Self.conversationPath(conversation) + "/messages", key: app.ownerKey)
                .json["data"]!.array!
            #expect(transcript.filter { $0["role"]?.string == "bot" }.count == 1)
            #expect(
                transcript.last?["text"]?.string
                    == HandoffSettings().expiredMessage(userEmail: "user@example.com")
            )
        }
    }

    @Test(.enabled(if: TestStore.isPostgres, "several instances share a PostgreSQL database"))
    func eachTimerFiresOnceWhenTwoInstancesWatchTheSameDatabase() async throws {
        let clock = ManualTimerClock()
        let first = try await TestApp {
            $0.allowPrivateTargets = true
            $0.timerClock = clock
        }
        let second = try first.anotherInstance()
        try await first.run { firstAPI in
            try await second.run { secondAPI in
                // Given twenty escalations, half through each instance, with a one-minute timeout and SLA
                let (bot, _) = try await Self.handoffBot(
                    firstAPI,
                    first,
                    settings: #"{"escalationTimeoutSeconds": 60, "firstResponseSlaSeconds": 30}"#
                )
                _ = try await Fixtures.hook(
                    firstAPI,
                    key: first.ownerKey,
                    bot: bot,
                    #"{"type": "conversation.escalation_expired", "targetUrl": "http://127.0.0.1:9/", "enabled": false}"#
                )
                _ = try await Fixtures.hook(
                    firstAPI,
                    key: first.ownerKey,
                    bot: bot,
                    #"{"type": "conversation.sla_breached", "targetUrl": "http://127.0.0.1:9/", "enabled": false}"#
                )
                var conversations: [JSONValue] = []
                for index in 0..<20 {
                    let api = index.isMultiple(of: 2) ? firstAPI : secondAPI
                    let conversation = try await api.startConversation(bot: bot)
                    _ = try await api.escalate(conversation)
                    conversations.append(conversation)
                }
                // When the deadlines pass, both instances' workers waking at once
                clock.advance(by: .seconds(61))
                // Then every conversation expired once: one note each, one expiry and one breach event each
                for conversation in conversations {
                    _ = try await Self.waitForState(firstAPI, first, conversation, "Bot")
                    let transcript = try await firstAPI.get(
                        Self.conversationPath(conversation) + "/messages",
                        key: first.ownerKey
                    ).json["data"]!.array!
                    #expect(transcript.filter { $0["role"]?.string == "bot" }.count == 1)
                }
                let expired = try await Self.payloads(
                    firstAPI,
                    first,
                    bot: bot,
                    event: "conversation.escalation_expired"
                )
                let breached = try await Self.payloads(firstAPI, first, bot: bot, event: "conversation.sla_breached")
                #expect(expired.count == 20)
                #expect(Set(expired.map { $0["conversation"]!["id"]!.string! }).count == 20)
                #expect(breached.count == 20)
                #expect(Set(breached.map { $0["conversation"]!["id"]!.string! }).count == 20)
            }
        }
    }

    // MARK: Helpers

    /// The bodies of `count` deliveries of `event`, once the log has them.
    static func eventuallyPayloads(
        _ api: API,
        _ app: TestApp,
        bot: String,
        event: String,
        count: Int
    ) async throws -> [JSONValue] {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            let found = try await payloads(api, app, bot: bot, event: event)
            if found.count >= count { return found }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await payloads(api, app, bot: bot, event: event)
    }

    /// A new agent's token.
    static func agent(_ api: API, _ app: TestApp) async throws -> String {
        try await api.createAgent(name: "Bob", email: "bob@example.com", key: app.ownerKey)["token"]!.string!
    }
}
