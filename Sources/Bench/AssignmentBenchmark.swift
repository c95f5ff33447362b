import ArgumentParser
import AsyncHTTPClient
import Foundation
import Synchronization

/// `switchboard-bench assignment`: visitors escalate to a bot with automatic assignment while connected agents
/// (each a real inbox stream) hold each conversation a moment and release it. Measures the time from escalation
/// to assignment — the conversation's `claimedAt − escalatedAt`, as the server stamped them — with room to spare
/// and with more visitors than room, beside the same server's trivial route.
struct AssignmentBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assignment",
        abstract: "Escalation-to-assignment time (p50/p99) under load, with room to spare and saturated."
    )

    @OptionGroup var server: ServerOptions

    @Option(help: "Connected agents.")
    var agents = 16

    @Option(help: "Each agent's capacity.")
    var capacity = 3

    @Option(help: "How long an agent keeps each conversation before releasing it (milliseconds).")
    var holdMilliseconds = 20

    @Option(help: "Seconds for each phase.")
    var seconds = 5.0

    func run() async throws {
        let room = agents * capacity
        try await Session.run(server, connections: 2 * room + 8) { server, api in
            try await measure(api, server: server, room: room)
        }
    }

    private func measure(_ api: BenchClient, server: BenchServer, room: Int) async throws {
        let bot = try await api.send(.POST, "/api/v1/bots", #"{"name": "Desk", "humanTakeoverEnabled": true}"#)
        let botID = bot["id"] as! String
        try await api.send(.PATCH, "/api/v1/bots/\(botID)", #"{"assignment": "auto"}"#)
        var tokens: [String] = []
        for number in 0..<agents {
            let agent = try await api.send(
                .POST,
                "/api/v1/agents",
                #"{"name": "Agent \#(number)", "email": "agent\#(number)@example.com", "capacity": \#(capacity)}"#
            )
            tokens.append(agent["token"] as! String)
        }
        // Each agent's inbox: an event stream held open for the whole run, spread over the instances.
        let streams = BenchClient.make(connections: agents)
        let inboxes = Task {
            await withTaskGroup(of: Void.self) { group in
                for (index, token) in tokens.enumerated() {
                    group.addTask {
                        var request = HTTPClientRequest(url: api.bases[index % api.bases.count] + "/api/v1/events")
                        request.headers.add(name: "Authorization", value: "Bearer \(token)")
                        guard let response = try? await streams.execute(request, timeout: .seconds(3600)) else {
                            return
                        }
                        do {
                            for try await _ in response.body {}
                        } catch {}  // the run is over (cancelled) or the server stopped
                    }
                }
            }
        }
        do {
            Report.progress("waiting for the agents to connect")
            let connectedBy = ContinuousClock.now + .seconds(30)
            while try await (api.send(.GET, "/api/v1/agents?limit=200")["data"] as! [[String: Any]])
                .contains(where: { $0["connected"] as? Bool != true })
            {
                guard ContinuousClock.now < connectedBy else { throw ValidationError("the agents never connected") }
                try await Task.sleep(for: .milliseconds(100))
            }

            Report.progress("ceiling")
            let ceiling = await Session.ceiling(api, concurrency: room, seconds: seconds)
            Report.progress("room to spare: \(room / 2) visitors for \(room) places")
            let spare = try await phase(api, bot: botID, visitors: room / 2)
            Report.progress("saturated: \(2 * room) visitors for \(room) places")
            let saturated = try await phase(api, bot: botID, visitors: 2 * room)

            print(
                "ceiling: GET /healthz, \(room) callers: \(Report.rate(ceiling.perSecond)) — \(ceiling.latencies.summary)"
            )
            for (name, result) in [("room to spare", spare), ("saturated", saturated)] {
                print(
                    "\(name): \(Report.rate(result.load.perSecond)) handoffs (escalate, assign, hold \(holdMilliseconds) ms, "
                        + "release) = \(Report.ratio(3 * result.load.perSecond, to: ceiling.perSecond)) in requests — "
                        + "\(result.load.errors) errors"
                )
                print("  escalation to assignment: \(result.waits.summary); \(result.waits.count) assignments")
                print("  escalate request (assigning at once when there is room): \(result.escalations.summary)")
            }
            if let memory = server.memory {
                print(String(format: "server memory: %.0f MiB now, %.0f MiB peak", memory.current, memory.peak))
            }
            let json: [String] = [
                #""benchmark":"assignment""#, #""agents":\#(agents)"#, #""capacity":\#(capacity)"#,
                String(format: #""ceilingPerSecond":%.0f"#, ceiling.perSecond),
                String(format: #""spareHandoffsPerSecond":%.0f"#, spare.load.perSecond),
                #""spareEscalationToAssignment":\#(spare.waits.json)"#,
                #""spareEscalateRequest":\#(spare.escalations.json)"#,
                String(format: #""saturatedHandoffsPerSecond":%.0f"#, saturated.load.perSecond),
                #""saturatedEscalationToAssignment":\#(saturated.waits.json)"#,
                #""errors":\#(spare.load.errors + saturated.load.errors)"#,
            ]
            print("{\(json.joined(separator: ","))}")
        } catch {
            inboxes.cancel()
            try? await streams.shutdown()
            throw error
        }
        inboxes.cancel()
        try await streams.shutdown()
    }

    /// `visitors` at once, each over and over: start, escalate, wait until assigned, hold, release.
    private func phase(
        _ api: BenchClient,
        bot: String,
        visitors: Int
    ) async throws -> (load: Load.Result, waits: Latencies, escalations: Latencies) {
        let waits = RequestLatencies()
        let escalations = RequestLatencies()
        let hold = Duration.milliseconds(holdMilliseconds)
        let load = await Load.run(concurrency: visitors, duration: .seconds(seconds)) { _ in
            // No opening message: the bot's answer (retrieval, embedding) is not what this measures.
            let started = try await api.send(
                .POST,
                "/api/v1/public/bots/\(bot)/conversations",
                #"{"channelType": "web"}"#,
                token: ""
            )
            let (id, token) = (started["id"] as! String, started["visitorToken"] as! String)
            let sent = ContinuousClock.now
            var conversation = try await api.send(
                .POST,
                "/api/v1/public/conversations/\(id)/escalate",
                #"{"userEmail": "visitor@example.com"}"#,
                token: token
            )
            escalations.record(ContinuousClock.now - sent)
            // Waiting in the queue: look again until an agent has it.
            while conversation["state"] as? String != "Active" {
                try await Task.sleep(for: .milliseconds(5))
                conversation = try await api.send(.GET, "/api/v1/conversations/\(id)")
            }
            waits.record(.milliseconds(try Self.milliseconds(conversation, from: "escalatedAt", to: "claimedAt")))
            try await Task.sleep(for: hold)
            try await api.send(.POST, "/api/v1/conversations/\(id)/release")
        }
        return (load, waits.value, escalations.value)
    }

    /// Milliseconds between two of the conversation's timestamps, as the server stamped them.
    private static func milliseconds(_ conversation: [String: Any], from: String, to: String) throws -> Int64 {
        let format = ISO8601DateFormatter()
        format.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let start = (conversation[from] as? String).flatMap(format.date(from:)),
            let end = (conversation[to] as? String).flatMap(format.date(from:))
        else { throw ValidationError("the conversation lacks \(from) or \(to)") }
        return Int64((end.timeIntervalSince(start) * 1000).rounded())
    }
}
