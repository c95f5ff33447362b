import ArgumentParser
import Foundation
import Synchronization

/// `switchboard-bench lifecycle`: simulated visitors and agents taking conversations through
/// start → escalate → claim → release, with the four conversation hooks pointed at a receiver in the bench.
struct LifecycleBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifecycle",
        abstract: "Conversation starts/s and transitions/s against the ceiling; request and hook latency."
    )

    @OptionGroup var server: ServerOptions

    @Option(help: "Concurrent visitors (and callers of the ceiling).")
    var concurrency = 32

    @Option(help: "Agents sharing the claims.")
    var agents = 8

    @Option(help: "Seconds for each phase.")
    var seconds = 5.0

    func run() async throws {
        let receiver = HookReceiver()
        try await receiver.run { receiverURL in
            try await Session.run(server, connections: concurrency) { server, api in
                try await measure(api, server: server, receiver: receiver, target: "\(receiverURL)/fast")
            }
        }
    }

    private func measure(_ api: BenchClient, server: BenchServer, receiver: HookReceiver, target: String) async throws {
        let bot = try await api.send(.POST, "/api/v1/bots", #"{"name": "Bench", "humanTakeoverEnabled": true}"#)
        let botID = bot["id"] as! String
        for event in [
            "conversation.started", "conversation.escalated", "conversation.claimed", "conversation.released",
        ] {
            try await api.send(
                .POST,
                "/api/v1/bots/\(botID)/hooks",
                #"{"type": "\#(event)", "targetUrl": "\#(target)"}"#
            )
        }
        var tokens: [String] = []
        for number in 0..<agents {
            let agent = try await api.send(
                .POST,
                "/api/v1/agents",
                #"{"name": "Agent \#(number)", "email": "agent\#(number)@example.com"}"#
            )
            tokens.append(agent["token"] as! String)
        }
        let agentTokens = tokens
        let duration = Duration.seconds(seconds)

        Report.progress("ceiling")
        let ceiling = await Session.ceiling(api, concurrency: concurrency, seconds: seconds)

        Report.progress("conversation starts")
        let starts = await Load.run(concurrency: concurrency, duration: duration) { _ in
            _ = try await Self.start(api, bot: botID)
        }
        _ = await receiver.waitFor(starts.calls, timeout: .seconds(60))
        _ = receiver.takeLatencies()

        // Full load: every visitor runs whole lifecycles back to back.
        Report.progress("lifecycles at full load")
        let requests = RequestLatencies()
        let baseline = receiver.received
        let full = await Load.run(concurrency: concurrency, duration: duration) { number in
            try await Self.lifecycle(api, bot: botID, agent: agentTokens[number % agentTokens.count], requests)
        }
        let fullHooks = await receiver.waitFor(baseline + 4 * full.calls, timeout: .seconds(60)) - baseline
        let fullHookLatency = receiver.takeLatencies()
        let transitionsPerSecond = 4 * full.perSecond

        // Half of that write load, paced, for the hook latency goal.
        Report.progress("lifecycles at half load")
        let halfBaseline = receiver.received
        let half = await Load.run(concurrency: concurrency, duration: duration, rate: full.perSecond / 2) { number in
            try await Self.lifecycle(api, bot: botID, agent: agentTokens[number % agentTokens.count], nil)
        }
        let halfHooks = await receiver.waitFor(halfBaseline + 4 * half.calls, timeout: .seconds(60)) - halfBaseline
        let halfHookLatency = receiver.takeLatencies()
        let requestLatency = requests.value

        print(
            "ceiling: GET /healthz, \(concurrency) callers: \(Report.rate(ceiling.perSecond)) — \(ceiling.latencies.summary)"
        )
        print(
            "conversation starts: \(Report.rate(starts.perSecond)) = \(Report.ratio(starts.perSecond, to: ceiling.perSecond)) "
                + "(goal ≥ 0.25) — \(starts.latencies.summary), \(starts.errors) errors"
        )
        print(
            "lifecycles at full load: \(Report.rate(full.perSecond)) cycles, \(Report.rate(transitionsPerSecond)) transitions "
                + "= \(Report.ratio(transitionsPerSecond, to: ceiling.perSecond)) — \(full.errors) errors"
        )
        print("  request latency: \(requestLatency.summary)")
        print("  hook latency: \(fullHookLatency.summary); \(fullHooks) of \(4 * full.calls) hooks arrived")
        print(
            "lifecycles at half load: \(Report.rate(4 * half.perSecond)) transitions — hook latency "
                + "\(halfHookLatency.summary) (goal p50 ≤ 5 ms, p99 ≤ 50 ms); \(halfHooks) of \(4 * half.calls) arrived"
        )
        if let memory = server.memory {
            print(String(format: "server memory: %.0f MiB now, %.0f MiB peak", memory.current, memory.peak))
        }
        let json: [String] = [
            #""benchmark":"lifecycle""#,
            #""concurrency":\#(concurrency)"#,
            String(format: #""ceilingPerSecond":%.0f"#, ceiling.perSecond),
            String(format: #""startsPerSecond":%.0f"#, starts.perSecond),
            String(format: #""startsRatio":%.3f"#, starts.perSecond / ceiling.perSecond),
            String(format: #""transitionsPerSecond":%.0f"#, transitionsPerSecond),
            String(format: #""transitionsRatio":%.3f"#, transitionsPerSecond / ceiling.perSecond),
            #""requestLatency":\#(requestLatency.json)"#,
            #""hookLatencyFullLoad":\#(fullHookLatency.json)"#,
            #""hookLatencyHalfLoad":\#(halfHookLatency.json)"#,
            #""hooksLost":\#(4 * (full.calls + half.calls) - fullHooks - halfHooks)"#,
            #""errors":\#(starts.errors + full.errors + half.errors)"#,
            String(format: #""peakMemoryMiB":%.0f"#, server.memory?.peak ?? 0),
        ]
        print("{\(json.joined(separator: ","))}")
    }

    /// A visitor starts a conversation; answers its id and visitor token.
    static func start(_ api: BenchClient, bot: String) async throws -> (id: String, token: String) {
        let conversation = try await api.send(
            .POST,
            "/api/v1/public/bots/\(bot)/conversations",
            #"{"channelType": "web", "initialMessage": "Hello, is anyone there?"}"#,
            token: ""
        )
        return (conversation["id"] as! String, conversation["visitorToken"] as! String)
    }

    /// One whole conversation: four transitions, each request timed into `requests` when given.
    static func lifecycle(_ api: BenchClient, bot: String, agent: String, _ requests: RequestLatencies?) async throws {
        func timed<T>(_ step: () async throws -> T) async throws -> T {
            let start = ContinuousClock.now
            let value = try await step()
            requests?.record(ContinuousClock.now - start)
            return value
        }
        let conversation = try await timed { try await start(api, bot: bot) }
        let path = "/api/v1/conversations/\(conversation.id)"
        try await timed {
            try await api.send(
                .POST,
                "/api/v1/public/conversations/\(conversation.id)/escalate",
                #"{"userEmail": "visitor@example.com"}"#,
                token: conversation.token
            )
        }
        try await timed { try await api.send(.POST, "\(path)/claim", token: agent) }
        try await timed { try await api.send(.POST, "\(path)/release", token: agent) }
    }
}

/// Request latencies gathered from many callers.
final class RequestLatencies: Sendable {
    private let latencies = Mutex(Latencies())
    func record(_ duration: Duration) { latencies.withLock { $0.record(duration) } }
    var value: Latencies { latencies.withLock { $0 } }
}
