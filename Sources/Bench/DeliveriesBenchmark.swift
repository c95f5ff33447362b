import ArgumentParser
import Foundation

/// `switchboard-bench deliveries`: how fast the outbox drains to a fast receiver, what delivering each conversation
/// in sequence (`ordering: "conversation"`) costs beside the default, and whether a target that never answers
/// changes anything for a healthy one.
struct DeliveriesBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliveries",
        abstract: "Sustained deliveries/s, and healthy-target latency with and without a dead target."
    )

    @OptionGroup var server: ServerOptions

    @Option(help: "Concurrent callers (of the ceiling and the conversation starts).")
    var concurrency = 32

    @Option(help: "conversation.started hooks, all pointed at the fast receiver.")
    var hooks = 20

    @Option(help: "Conversations whose deliveries make the backlog drained for throughput.")
    var conversations = 2_000

    @Option(help: "Conversation starts per second while latency is measured.")
    var rate = 50.0

    @Option(help: "Seconds for each latency phase and the ceiling.")
    var seconds = 5.0

    func run() async throws {
        let receiver = HookReceiver()
        try await receiver.run { receiverURL in
            // A short delivery timeout would free the dead target's slots sooner; the default keeps them busy.
            try await Session.run(server, connections: concurrency) { server, api in
                try await measure(api, server: server, receiver: receiver, receiverURL: receiverURL)
            }
        }
    }

    private func measure(
        _ api: BenchClient,
        server: BenchServer,
        receiver: HookReceiver,
        receiverURL: String
    ) async throws {
        let botID = try await api.send(.POST, "/api/v1/bots", #"{"name": "Bench"}"#)["id"] as! String
        var hookIDs: [String] = []
        for _ in 0..<hooks {
            let hook = try await api.send(
                .POST,
                "/api/v1/bots/\(botID)/hooks",
                #"{"type": "conversation.started", "targetUrl": "\#(receiverURL)/fast", "enabled": false}"#
            )
            hookIDs.append(hook["id"] as! String)
        }

        Report.progress("ceiling")
        let ceiling = await Session.ceiling(api, concurrency: concurrency, seconds: seconds)

        // Throughput: a backlog recorded while the hooks are disabled, then released at once.
        Report.progress("building a backlog of \(conversations * hooks) deliveries")
        let backlog = await Load.run(concurrency: concurrency, duration: .seconds(3600), calls: conversations) { _ in
            _ = try await LifecycleBenchmark.start(api, bot: botID)
        }
        let expected = backlog.calls * hooks
        Report.progress("draining \(expected) deliveries")
        let drainStart = ContinuousClock.now
        for id in hookIDs {
            try await api.send(.PATCH, "/api/v1/bots/\(botID)/hooks/\(id)", #"{"enabled": true}"#)
        }
        let delivered = await receiver.waitFor(expected, timeout: .seconds(600))
        let drainSeconds = ((receiver.lastArrival ?? .now) - drainStart).seconds
        let deliveriesPerSecond = Double(delivered) / drainSeconds
        let memoryAfterDrain = server.memory
        let distinctIDs = receiver.distinctDeliveries
        _ = receiver.takeLatencies()

        // Isolation: the same paced load without and then with a target that never answers.
        Report.progress("healthy targets only, \(Int(rate)) starts/s")
        let healthy = try await paced(api, bot: botID, receiver: receiver)
        try await api.send(
            .POST,
            "/api/v1/bots/\(botID)/hooks",
            #"{"type": "conversation.started", "targetUrl": "\#(receiverURL)/never"}"#
        )
        Report.progress("with one target that never answers")
        let withDead = try await paced(api, bot: botID, receiver: receiver)

        // Ordering, last (its bots and hooks stay): the same message backlog (each conversation's user message and
        // the bot's reply, in that sequence), drained by default hooks and then by ordered ones.
        var messageDrains: [(ordering: String, delivered: Int, expected: Int, perSecond: Double)] = []
        for ordering in ["none", "conversation"] {
            Report.progress("message backlog, ordering \(ordering)")
            let drain = try await drainMessages(api, receiver: receiver, receiverURL: receiverURL, ordering: ordering)
            messageDrains.append((ordering, drain.delivered, drain.expected, drain.perSecond))
        }
        _ = receiver.takeLatencies()

        print(
            "ceiling: GET /healthz, \(concurrency) callers: \(Report.rate(ceiling.perSecond)) — \(ceiling.latencies.summary)"
        )
        print(
            String(format: "deliveries: %d of %d in %.2f s = ", delivered, expected, drainSeconds)
                + "\(Report.rate(deliveriesPerSecond)) = \(Report.ratio(deliveriesPerSecond, to: ceiling.perSecond)) "
                + "(goal ≥ 2,000/s), \(distinctIDs) distinct webhook-ids"
        )
        for drain in messageDrains {
            print(
                "conversation.message, ordering \(drain.ordering): \(drain.delivered) of \(drain.expected) "
                    + "= \(Report.rate(drain.perSecond))"
                    + (drain.ordering == "none"
                        ? "" : String(format: " = %.2f× unordered", drain.perSecond / messageDrains[0].perSecond))
            )
        }
        if let memory = memoryAfterDrain {
            print(
                String(
                    format: "server memory after the drain: %.0f MiB, peak %.0f MiB (goal ≤ 150 MiB)",
                    memory.current,
                    memory.peak
                )
            )
        }
        print("healthy target, \(Int(rate)) starts/s × \(hooks) hooks: hook latency \(healthy.summary)")
        print("the same with a never-answering hook added: hook latency \(withDead.summary)")
        let json: [String] = [
            #""benchmark":"deliveries""#,
            String(format: #""ceilingPerSecond":%.0f"#, ceiling.perSecond),
            #""delivered":\#(delivered)"#,
            #""expected":\#(expected)"#,
            String(format: #""deliveriesPerSecond":%.0f"#, deliveriesPerSecond),
            String(format: #""deliveriesRatio":%.3f"#, deliveriesPerSecond / ceiling.perSecond),
            String(format: #""peakMemoryMiB":%.0f"#, memoryAfterDrain?.peak ?? 0),
            String(format: #""messagesUnorderedPerSecond":%.0f"#, messageDrains[0].perSecond),
            String(format: #""messagesOrderedPerSecond":%.0f"#, messageDrains[1].perSecond),
            #""healthyLatency":\#(healthy.json)"#,
            #""withDeadTargetLatency":\#(withDead.json)"#,
        ]
        print("{\(json.joined(separator: ","))}")
    }

    /// A quarter of `conversations` started (each a user message and the bot's reply) on a bot of its own whose
    /// `conversation.message` hooks, `ordering` as given, are off; then the hooks on, and the backlog timed.
    private func drainMessages(
        _ api: BenchClient,
        receiver: HookReceiver,
        receiverURL: String,
        ordering: String
    ) async throws -> (delivered: Int, expected: Int, perSecond: Double) {
        let bot = try await api.send(.POST, "/api/v1/bots", #"{"name": "Bench \#(ordering)"}"#)["id"] as! String
        var hookIDs: [String] = []
        for _ in 0..<hooks {
            let hook = try await api.send(
                .POST,
                "/api/v1/bots/\(bot)/hooks",
                #"{"type": "conversation.message", "targetUrl": "\#(receiverURL)/fast", "enabled": false, "ordering": "\#(ordering)"}"#
            )
            hookIDs.append(hook["id"] as! String)
        }
        let backlog = await Load.run(concurrency: concurrency, duration: .seconds(3600), calls: conversations / 4) {
            _ in
            _ = try await LifecycleBenchmark.start(api, bot: bot)
        }
        let expected = backlog.calls * hooks * 2
        let before = receiver.received
        let start = ContinuousClock.now
        for id in hookIDs {
            try await api.send(.PATCH, "/api/v1/bots/\(bot)/hooks/\(id)", #"{"enabled": true}"#)
        }
        let delivered = await receiver.waitFor(before + expected, timeout: .seconds(600)) - before
        let seconds = ((receiver.lastArrival ?? .now) - start).seconds
        return (delivered, expected, Double(delivered) / seconds)
    }

    /// Starts conversations at `rate` for `seconds`, waits for the fast receiver to get their hooks, and
    /// answers the hook latencies of that phase.
    private func paced(_ api: BenchClient, bot: String, receiver: HookReceiver) async throws -> Latencies {
        let before = receiver.received
        let load = await Load.run(concurrency: concurrency, duration: .seconds(seconds), rate: rate) { _ in
            _ = try await LifecycleBenchmark.start(api, bot: bot)
        }
        _ = await receiver.waitFor(before + load.calls * hooks, timeout: .seconds(60))
        return receiver.takeLatencies()
    }
}
