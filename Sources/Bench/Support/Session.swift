import AsyncHTTPClient
import Foundation

/// One measurement run: the server (started or given), a client pooled for the load, and the ceiling.
enum Session {
    /// Starts (or reaches) the server, runs `body` with a client of `connections` connections, then cleans up.
    static func run(
        _ options: ServerOptions,
        serverArguments: [String] = [],
        connections: Int,
        _ body: (BenchServer, BenchClient) async throws -> Void
    ) async throws {
        let server = try options.start(serverArguments)
        defer { server.stop() }
        let client = BenchClient.make(connections: connections)
        do {
            try await body(server, BenchClient(client: client, bases: server.bases, key: server.key))
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    /// The trivial route at `concurrency` callers: this machine's ceiling for this server, right now.
    static func ceiling(_ api: BenchClient, concurrency: Int, seconds: Double) async -> Load.Result {
        await Load.run(concurrency: concurrency, duration: .seconds(seconds)) { _ in try await api.get("/healthz") }
    }
}

/// Formatting shared by the reports.
enum Report {
    static func rate(_ value: Double) -> String { String(format: "%.0f/s", value) }

    static func ratio(_ value: Double, to ceiling: Double) -> String {
        String(format: "%.2f× the ceiling", value / ceiling)
    }

    /// Prints a line to standard error, for progress that must not mix with the figures.
    static func progress(_ text: String) {
        FileHandle.standardError.write(Data("… \(text)\n".utf8))
    }
}
