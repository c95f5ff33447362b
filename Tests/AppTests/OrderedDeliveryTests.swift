import Foundation
import Synchronization
import Testing

@testable import App

/// Every conversation event is numbered (`sequence`), and a hook with `ordering: "conversation"` receives each
/// conversation's events strictly in that order, through retries and failures, while other conversations flow.
@Suite struct OrderedDeliveryTests {
    @Test func conversationPayloadsCarryTheirSequenceOneTwoThreeInCommitOrder() async throws {
        let app = try await Fixtures.deliveryApp()
        let receiver = TestReceiver()
        try await receiver.run { target in
            try await app.run { api in
                // Given hooks for every conversation event
                let (bot, agent) = try await Fixtures.botAndAgent(api, app)
                for type in HookType.allCases where type.rawValue.hasPrefix("conversation.") {
                    _ = try await Fixtures.hook(
                        api,
                        key: app.ownerKey,
                        bot: bot,
                        #"{"type": "\#(type.rawValue)", "targetUrl": \#(jsonString(target))}"#
                    )
                }
                // When a conversation goes through its whole life
                let conversation = try await api.startConversation(
                    bot: bot,
                    body: #"{"channelType": "web", "initialMessage": "Hello"}"#
                )
                #expect(try await api.escalate(conversation).status == .ok)
                #expect(try await api.act("claim", on: conversation, key: agent).status == .ok)
                let reply = try await api.post(
                    "/api/v1/conversations/\(conversation["id"]!.string!)/messages",
                    key: agent,
                    json: #"{"text": "Hi, Jane here."}"#
                )
                #expect(reply.status == .created)
                #expect(try await api.act("release", on: conversation, key: agent).status == .ok)
                // Then its events are numbered 1 to 7 in the order they happened
                let events = try await receiver.waitForRequests(7).map {
                    try JSONDecoder().decode(JSONValue.self, from: Data($0.body.utf8))
                }.sorted { ($0["sequence"]?.int ?? 0) < ($1["sequence"]?.int ?? 0) }
                #expect(events.compactMap { $0["sequence"]?.int } == Array(1...7))
                #expect(
                    events.map { event in
                        [event["event"]?.string, event["message"]?["role"]?.string].compactMap { $0 }.joined(
                            separator: " "
                        )
                    } == [
                        "conversation.started", "conversation.message user", "conversation.message bot",
                        "conversation.escalated", "conversation.claimed", "conversation.message agent",
                        "conversation.released",
                    ]
                )
            }
        }
    }

    @Test func anOrderedHookGetsEachConversationsEventsInSequenceThroughRetries() async throws {
        let app = try await Fixtures.deliveryApp(schedule: [1, 1, 1, 1])
        // The first attempt of every user message fails: retries that an unordered hook's later events would overtake
        let receiver = TestReceiver { _, request in
            request.header("X-Switchboard-Attempt") == "1" && request.body.contains(#""role":"user""#)
                ? .init(status: .internalServerError) : .init()
        }
        try await receiver.run { target in
            try await app.run { api in
                // Given an ordered conversation.message hook
                let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
                let hook = try await Fixtures.hook(
                    api,
                    key: app.ownerKey,
                    bot: bot,
                    """
                    {"type": "conversation.message", "targetUrl": \(jsonString(target)), "ordering": "conversation"}
                    """
                )
                #expect(hook["ordering"]?.string == "conversation")
                // When three visitors each write four messages (each answered by the bot)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<3 {
                        group.addTask {
                            let conversation = try await api.startConversation(bot: bot)
                            for number in 1...4 { _ = try await Fixtures.say(api, conversation, "Message \(number)") }
                        }
                    }
                    try await group.waitForAll()
                }
                // Then every conversation's events arrived in sequence, each retried before the next went out
                let succeeded = 3 * 8
                let deadline = ContinuousClock.now + .seconds(30)
                while Self.delivered(receiver).count < succeeded, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(Self.delivered(receiver).count == succeeded)
                for (conversation, sequences) in Self.sequencesByConversation(receiver) {
                    #expect(sequences == sequences.sorted(), "\(conversation): \(sequences)")
                    // (1 is the start, which this hook does not hear of)
                    #expect(Set(sequences) == Set(2...9), "\(conversation): \(sequences)")
                }
            }
        }
    }

    @Test func aLaterEventGoesOutOnceAnEarlierOneHasFailedForGood() async throws {
        let app = try await Fixtures.deliveryApp(schedule: [1])
        // The user's first message (sequence 2) is refused on every attempt
        let receiver = TestReceiver { _, request in
            request.body.contains(#""sequence":2"#) ? .init(status: .badRequest) : .init()
        }
        try await receiver.run { target in
            try await app.run { api in
                let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
                let hook = try await Fixtures.hook(
                    api,
                    key: app.ownerKey,
                    bot: bot,
                    #"{"type": "conversation.message", "targetUrl": \#(jsonString(target)), "ordering": "conversation"}"#
                )
                let conversation = try await api.startConversation(bot: bot)
                _ = try await Fixtures.say(api, conversation, "First")
                // Then the bot's reply (3) waits for both attempts of 2, and goes once 2 has failed for good
                let requests = try await receiver.waitForRequests(3)
                #expect(Self.sequences(requests) == [2, 2, 3])
                _ = try await Fixtures.eventually(
                    api,
                    Fixtures.deliveryPath(bot: bot, hook: hook) + "?status=failed",
                    key: app.ownerKey
                ) { $0["data"]?.array?.count == 1 }
            }
        }
    }

    @Test func anOrderingOtherThanNoneOrConversationIsRefused() async throws {
        let app = try await TestApp()
        try await app.run { api in
            try await Fixtures.expectRefusedHook(
                api,
                app,
                #"{"type": "conversation.message", "targetUrl": "\#(HookRoutesTests.publicTarget)", "ordering": "strict"}"#,
                field: "ordering"
            )
        }
    }

    // MARK: Reading what arrived

    static func sequences(_ requests: [TestReceiver.Received]) -> [Int] {
        requests.compactMap { request in
            (try? JSONDecoder().decode(JSONValue.self, from: Data(request.body.utf8)))?["sequence"]?.int
        }
    }

    /// Every request's sequence, in arrival order, per conversation (retries included).
    static func sequencesByConversation(_ receiver: TestReceiver) -> [String: [Int]] {
        var byConversation: [String: [Int]] = [:]
        for request in receiver.requests {
            guard let body = try? JSONDecoder().decode(JSONValue.self, from: Data(request.body.utf8)),
                let id = body["conversation"]?["id"]?.string, let sequence = body["sequence"]?.int
            else { continue }
            byConversation[id, default: []].append(sequence)
        }
        return byConversation
    }

    /// The ids of the deliveries that were answered 2xx.
    static func delivered(_ receiver: TestReceiver) -> Set<String> {
        Set(receiver.answered.filter { (200..<300).contains($0.status) }.map(\.deliveryID))
    }
}
