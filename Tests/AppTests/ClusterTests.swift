import AsyncHTTPClient
import Foundation
import Synchronization
import Testing

@testable import App

/// Switchboard as it runs on several machines: `switchboard serve` processes on a PostgreSQL cluster of the test's
/// own, behind nginx running `deploy/nginx.conf`. What only real processes show: a database restart under load,
/// an instance killed with SIGKILL mid-burst, claims and live events crossing the load balancer.
@Suite(
    .enabled(if: TestStore.isPostgres, "instances share a PostgreSQL database"),
    .serialized,
    .timeLimit(.minutes(3))
)
struct ClusterTests {
    /// Roomy rate limits (the load comes from one address), private targets (the receiver is on loopback), and a
    /// 2 s delivery timeout, so a dead instance's leases (the timeout + 10 s) end within the test.
    static let serveArguments = [
        "--allow-private-targets", "--visitor-rate-limit", "1000000", "--bot-rate-limit", "1000000",
        "--delivery-timeout", "2",
    ]

    @Test func aPostgreSQLRestartUnderLoadCrashesNothingAndLosesNothingAcknowledged() async throws {
        let database = try await PostgresCluster.start()
        defer { database.stop() }
        let key = try await database.createWorkspace(name: "Acme")
        let receiver = TestReceiver()
        try await receiver.run { target in
            let server = try await ServerProcess.start(database: database.url, arguments: Self.serveArguments)
            defer { kill(server.process.processIdentifier, SIGKILL) }
            let bot = try await Self.botWithHook(server.url, key: key, target: target)
            // Given visitors starting conversations without pause, and a load balancer asking whether it is ready,
            // until three seconds after the database is back (however long a loaded machine takes to restart it)
            let end = End(in: .seconds(120))
            async let starts = Self.startConversations(through: server.url, bot: bot, until: end)
            async let readiness = Self.pollReadiness(server.url, until: end)
            // When PostgreSQL stops in the middle of it, and is back two seconds later
            try await Task.sleep(for: .seconds(2))
            try await database.restart(after: 2)
            end.move(to: .now + .seconds(3))
            let (acknowledged, answers) = try await starts
            let ready = try await readiness
            // Then the instance lived through it: each start answered 201, or 503 while the database was away
            #expect(server.process.isRunning, "\(server.log.suffix(2000))")
            #expect(Set(answers.keys).isSubset(of: [201, 503]), "\(answers)")
            #expect(answers[503, default: 0] > 0, "\(answers)")
            #expect(acknowledged.count > 50, "\(answers)")
            // And readiness said so: not ready during the restart, ready again after
            #expect(ready.contains(503), "\(ready)")
            #expect(ready.last == 200, "\(ready)")
            // And every acknowledged start's hook arrived
            try await Self.expectDelivered(acknowledged, to: receiver, within: .seconds(60))
        }
    }

    @Test(.enabled(if: LoadBalancer.isInstalled, "nginx is installed (scripts/postgres.sh install)"))
    func throughNginxEveryAcknowledgedStartIsDeliveredWhenAnInstanceIsKilledMidBurst() async throws {
        // A target that takes a moment, so that the killed instance dies with attempts in flight
        let receiver = TestReceiver { _ in .init(delay: .milliseconds(200)) }
        try await receiver.run { target in
            try await Self.withTwoInstancesBehindNginx { nginx, key, first, second in
                let bot = try await Self.botWithHook(nginx.url, key: key, target: target)
                // Given a burst of starts through nginx, spread over both instances
                let end = End(in: .seconds(6))
                async let starts = Self.startConversations(through: nginx.url, bot: bot, until: end)
                // When one instance is killed in the middle of it, deliveries it had claimed included
                try await Task.sleep(for: .seconds(2))
                try await second.stop(signal: SIGKILL)
                let (acknowledged, answers) = try await starts
                // Then the burst went on through the other, and nothing acknowledged is lost: the survivor takes
                // over the dead instance's deliveries once their leases end
                #expect(first.process.isRunning, "\(first.log.suffix(2000))")
                #expect(answers[500, default: 0] == 0, "\(answers)")
                #expect(acknowledged.count > 50, "\(answers)")
                try await Self.expectDelivered(acknowledged, to: receiver, within: .seconds(90))
            }
        }
    }

    @Test(.enabled(if: LoadBalancer.isInstalled, "nginx is installed (scripts/postgres.sh install)"))
    func anOrderedHookSeesEachConversationInSequenceWhenAnInstanceIsKilledMidBurst() async throws {
        // A target that takes a moment and fails every sixth request: retries, and attempts in flight at the kill
        let receiver = TestReceiver {
            $0 % 6 == 0 ? .init(status: .serviceUnavailable) : .init(delay: .milliseconds(20))
        }
        try await receiver.run { target in
            let arguments = Self.serveArguments + ["--retry-schedule", "1,1,1,1,1,1,1,1", "--disable-after", "1000"]
            try await Self.withTwoInstancesBehindNginx(arguments: arguments) { nginx, key, _, second in
                let client = ClusterClient()
                let bot = try await client.post("\(nginx.url)/api/v1/bots", key: key, json: #"{"name": "Helper"}"#)
                    .json["id"]!.string!
                let hook = try await client.post(
                    "\(nginx.url)/api/v1/bots/\(bot)/hooks",
                    key: key,
                    json: """
                        {"type": "conversation.message", "targetUrl": \(jsonString(target)), "ordering": "conversation"}
                        """
                )
                #expect(hook.status == 201, "\(hook.body)")
                // Given eight visitors writing through nginx, so through both instances in turn
                let end = End(in: .seconds(5))
                async let written = Self.writeMessages(through: nginx.url, bot: bot, until: end)
                // When one instance is killed in the middle of it
                try await Task.sleep(for: .seconds(2))
                try await second.stop(signal: SIGKILL)
                let acknowledged = try await written
                #expect(acknowledged.count > 20)
                // Then every acknowledged message is delivered, and each conversation's events arrived in sequence
                // (a retry, or a redelivery after the kill, may repeat one; a later one never comes before it)
                let deadline = ContinuousClock.now + .seconds(90)
                var missing = acknowledged
                while !missing.isEmpty, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(250))
                    missing.subtract(Self.deliveredMessageIDs(receiver))
                }
                #expect(
                    missing.isEmpty,
                    "\(missing.count) of \(acknowledged.count) acknowledged messages never arrived"
                )
                for (conversation, sequences) in OrderedDeliveryTests.sequencesByConversation(receiver) {
                    #expect(sequences == sequences.sorted(), "\(conversation): \(sequences)")
                }
            }
        }
    }

    @Test(.enabled(if: LoadBalancer.isInstalled, "nginx is installed (scripts/postgres.sh install)"))
    func throughNginxAnAgentSeesEventsFromBothInstancesAndOfTwentyClaimsOneWins() async throws {
        try await Self.withTwoInstancesBehindNginx { nginx, key, _, _ in
            let client = ClusterClient()
            let bot = try await client.post(
                "\(nginx.url)/api/v1/bots",
                key: key,
                json: #"{"name": "Helper", "humanTakeoverEnabled": true}"#
            ).json["id"]!.string!
            var agents: [String] = []
            for index in 0..<20 {
                let agent = try await client.post(
                    "\(nginx.url)/api/v1/agents",
                    key: key,
                    json: #"{"name": "Agent \#(index)", "email": "a\#(index)@example.com"}"#
                )
                agents.append(try agent.json["token"]!.string!)
            }
            // Given an agent's stream through nginx (on one instance or the other)
            let stream = try await EventStreamReader(url: "\(nginx.url)/api/v1/events", token: agents[0])
            #expect(try await stream.nextEvent()?.event == "ready")
            // When visitors start and ask for a human, through nginx, so through both instances in turn
            var conversations: [JSONValue] = []
            for _ in 0..<2 {
                let started = try await client.post(
                    "\(nginx.url)/api/v1/public/bots/\(bot)/conversations",
                    json: #"{"channelType": "web"}"#
                )
                conversations.append(try started.json)
            }
            for conversation in conversations {
                let escalated = try await client.post(
                    "\(nginx.url)/api/v1/public/conversations/\(conversation["id"]!.string!)/escalate",
                    key: conversation["visitorToken"]!.string!,
                    json: #"{"userEmail": "user@example.com"}"#
                )
                #expect(escalated.status == 200)
            }
            // Then the stream saw every start and escalation, streamed through nginx as they happened
            var states: [String] = []
            for _ in 0..<4 {
                let frame = try #require(try await stream.nextEvent())
                states.append(try frame.json["state"]?.string ?? "?")
            }
            #expect(states.sorted() == ["Bot", "Bot", "Escalated", "Escalated"])
            // And of twenty agents claiming one conversation at once through nginx, exactly one wins
            let id = conversations[0]["id"]!.string!
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for agent in agents {
                    group.addTask {
                        try await client.post("\(nginx.url)/api/v1/conversations/\(id)/claim", key: agent).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.count(where: { $0 == 200 }) == 1, "\(statuses)")
            #expect(statuses.count(where: { $0 == 409 }) == 19, "\(statuses)")
        }
    }

    // MARK: Helpers

    /// When a load stops: a time that the test may move once it knows (after a restart, say).
    final class End: Sendable {
        private let instant: Mutex<ContinuousClock.Instant>
        init(in duration: Duration) { instant = Mutex(.now + duration) }
        var hasPassed: Bool { instant.withLock { ContinuousClock.now >= $0 } }
        func move(to new: ContinuousClock.Instant) { instant.withLock { $0 = new } }
    }

    /// Two instances on a PostgreSQL cluster of their own, behind nginx; `body` gets nginx, the owner key of a
    /// workspace, and the instances.
    private static func withTwoInstancesBehindNginx(
        arguments: [String] = serveArguments,
        _ body: (LoadBalancer, String, ServerProcess, ServerProcess) async throws -> Void
    ) async throws {
        let database = try await PostgresCluster.start()
        defer { database.stop() }
        let key = try await database.createWorkspace(name: "Acme")
        let first = try await ServerProcess.start(database: database.url, arguments: arguments)
        defer { kill(first.process.processIdentifier, SIGKILL) }
        let second = try await ServerProcess.start(database: database.url, arguments: arguments)
        defer { kill(second.process.processIdentifier, SIGKILL) }
        let nginx = try await LoadBalancer.start(upstreams: [first.port, second.port])
        defer { nginx.stop() }
        try await body(nginx, key, first, second)
    }

    /// A bot with a `conversation.started` hook to `target`.
    private static func botWithHook(_ base: String, key: String, target: String) async throws -> String {
        let client = ClusterClient()
        let bot = try await client.post("\(base)/api/v1/bots", key: key, json: #"{"name": "Helper"}"#).json
        let id = try #require(bot["id"]?.string)
        let hook = try await client.post(
            "\(base)/api/v1/bots/\(id)/hooks",
            key: key,
            json: #"{"type": "conversation.started", "targetUrl": \#(jsonString(target))}"#
        )
        #expect(hook.status == 201, "\(hook.body)")
        return id
    }

    /// Eight visitors starting conversations one after another until `end`: the ids of those acknowledged
    /// (201), and how many answers of each status came (0: no answer, the connection failed).
    private static func startConversations(
        through base: String,
        bot: String,
        until end: End
    ) async throws -> (acknowledged: [String], answers: [Int: Int]) {
        try await withThrowingTaskGroup(of: ([String], [Int: Int]).self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var acknowledged: [String] = []
                    var answers: [Int: Int] = [:]
                    while !end.hasPassed {
                        let reply = try? await ClusterClient().post(
                            "\(base)/api/v1/public/bots/\(bot)/conversations",
                            json: #"{"channelType": "web"}"#
                        )
                        answers[reply?.status ?? 0, default: 0] += 1
                        if reply?.status == 201, let id = try reply?.json["id"]?.string { acknowledged.append(id) }
                    }
                    return (acknowledged, answers)
                }
            }
            return try await group.reduce(into: ([], [:])) { total, one in
                total.0 += one.0
                total.1.merge(one.1, uniquingKeysWith: +)
            }
        }
    }

    /// Eight visitors each writing three messages into a conversation, then starting another, until `end`: the ids of
    /// the messages acknowledged (201). (Many conversations: each one's events go one at a time.)
    private static func writeMessages(through base: String, bot: String, until end: End) async throws -> Set<String> {
        try await withThrowingTaskGroup(of: Set<String>.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let client = ClusterClient()
                    var acknowledged: Set<String> = []
                    var conversation: JSONValue?
                    var written = 0
                    while !end.hasPassed {
                        guard let started = conversation, written < 3 else {
                            written = 0
                            let reply = try? await client.post(
                                "\(base)/api/v1/public/bots/\(bot)/conversations",
                                json: #"{"channelType": "web"}"#
                            )
                            conversation = reply?.status == 201 ? try reply?.json : nil
                            continue
                        }
                        let reply = try? await client.post(
                            "\(base)/api/v1/public/conversations/\(started["id"]!.string!)/messages",
                            key: started["visitorToken"]!.string!,
                            json: #"{"text": "Where is my order?"}"#
                        )
                        if reply?.status == 201, let id = try reply?.json["id"]?.string {
                            acknowledged.insert(id)
                            written += 1
                        }
                    }
                    return acknowledged
                }
            }
            return try await group.reduce(into: []) { $0.formUnion($1) }
        }
    }

    /// The ids of the messages whose delivery was answered 2xx.
    private static func deliveredMessageIDs(_ receiver: TestReceiver) -> Set<String> {
        let succeeded = Set(receiver.answered.filter { (200..<300).contains($0.status) }.map(\.deliveryID))
        return Set(
            receiver.requests.compactMap { request -> String? in
                guard let id = request.header("webhook-id"), succeeded.contains(id) else { return nil }
                return (try? JSONDecoder().decode(JSONValue.self, from: Data(request.body.utf8)))?["message"]?["id"]?
                    .string
            }
        )
    }

    /// `/readyz`'s status every 50 ms until `end`, through a client of its own, as a load balancer's health check
    /// has: behind the shared client's eight connections, all busy with starts waiting out the outage, a check
    /// could wait until the database is back and never see it gone.
    private static func pollReadiness(_ base: String, until end: End) async throws -> [Int] {
        let checker = ClusterClient(client: HTTPClient(eventLoopGroupProvider: .singleton))
        var statuses: [Int] = []
        while !end.hasPassed {
            statuses.append((try? await checker.get("\(base)/readyz").status) ?? 0)
            try? await Task.sleep(for: .milliseconds(50))  // nothing may skip the shutdown below
        }
        try await checker.client.shutdown()
        return statuses
    }

    /// Waits until a `conversation.started` hook of every one of `ids` has reached `receiver`.
    private static func expectDelivered(
        _ ids: [String],
        to receiver: TestReceiver,
        within limit: Duration
    ) async throws {
        let deadline = ContinuousClock.now + limit
        var missing = Set(ids)
        while !missing.isEmpty && ContinuousClock.now < deadline {
            for request in receiver.requests {
                let payload = try JSONDecoder().decode(JSONValue.self, from: Data(request.body.utf8))
                if let id = payload["conversation"]?["id"]?.string { missing.remove(id) }
            }
            if !missing.isEmpty { try await Task.sleep(for: .milliseconds(250)) }
        }
        #expect(missing.isEmpty, "\(missing.count) of \(ids.count) acknowledged starts were never delivered")
    }
}
