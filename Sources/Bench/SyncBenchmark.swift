import ArgumentParser
import Foundation
import NIOHTTP1

/// `switchboard-bench sync`: a first sync of a ~10 MB text data source and an unchanged re-sync, on a server
/// it starts itself (release build, temporary database), timed by the jobs' own start and finish times.
struct SyncBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "First-sync throughput and the cost of an unchanged re-sync."
    )

    @OptionGroup var server: ServerOptions

    @Option(help: "Size of the data source, in MB.")
    var megabytes = 10

    func run() async throws {
        try await Session.run(server, connections: 4) { _, api in try await measure(api) }
    }

    private func measure(_ api: BenchClient) async throws {
        let bot = try await api.send(.POST, "/api/v1/bots", #"{"name": "Bench"}"#)["id"] as! String
        let source =
            try await api.send(
                .POST,
                "/api/v1/bots/\(bot)/data-sources",
                #"{"name": "Bench corpus", "type": "text"}"#
            )["id"] as! String
        _ = try await api.send(.PATCH, "/api/v1/workspace", #"{"monthlyStorageTokenLimit": 1000000000000}"#)
        let rows = Self.rows(megabytes: megabytes)
        let bytes = rows.reduce(0) { $0 + $1.utf8.count }
        for batch in stride(from: 0, to: rows.count, by: 2000) {
            let slice = rows[batch..<min(batch + 2000, rows.count)].enumerated().map { offset, text in
                #"{"key": "row-\#(batch + offset)", "content": \#(BenchClient.json(text))}"#
            }
            _ = try await api.send(
                .POST,
                "/api/v1/bots/\(bot)/data-sources/\(source)/rows",
                #"{"rows": [\#(slice.joined(separator: ","))]}"#
            )
        }
        let first = try await api.sync(bot: bot, source: source)
        let again = try await api.sync(bot: bot, source: source)
        let megabytesOfText = Double(bytes) / 1_000_000
        print(String(format: "data source: %d rows, %.2f MB", rows.count, megabytesOfText))
        print(
            String(
                format: "first sync: %.2f s — %.0f rows/s, %.2f MB/s, %d documents, %d tokens",
                first.seconds,
                Double(rows.count) / first.seconds,
                megabytesOfText / first.seconds,
                first.documents,
                first.tokens
            )
        )
        print(
            String(
                format: "unchanged re-sync: %.3f s — %.1f%% of the first (goal: under 10%%), %d modified rows",
                again.seconds,
                100 * again.seconds / first.seconds,
                again.modified
            )
        )
        print(
            String(
                format:
                    #"{"benchmark":"sync","rows":%d,"megabytes":%.2f,"firstSeconds":%.3f,"rowsPerSecond":%.0f,"MBps":%.2f,"resyncSeconds":%.3f,"resyncRatio":%.4f}"#,
                rows.count,
                megabytesOfText,
                first.seconds,
                Double(rows.count) / first.seconds,
                megabytesOfText / first.seconds,
                again.seconds,
                again.seconds / first.seconds
            )
        )
    }

    /// About 1 KB of varied prose a row: sentences drawn from this repository's documents.
    static func rows(megabytes: Int) -> [String] {
        let sources = ["README.md", "docs/DESIGN.md", "docs/PERFORMANCE.md"].compactMap {
            try? String(contentsOfFile: $0, encoding: .utf8)
        }
        var sentences = sources.joined(separator: " ").split(whereSeparator: { ".!?".contains($0) })
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { $0.count > 20 }
        if sentences.isEmpty { sentences = ["Switchboard turns rows into token-counted documents"] }
        var rows: [String] = []
        var total = 0
        var index = 0
        while total < megabytes * 1_000_000 {
            var row = ""
            while row.utf8.count < 1000 {
                row += sentences[index % sentences.count] + ". "
                index += 7
            }
            row += "Row \(rows.count)."
            total += row.utf8.count
            rows.append(row)
        }
        return rows
    }
}

extension BenchClient {
    struct SyncResult {
        let seconds: Double
        let documents: Int
        let tokens: Int
        let modified: Int
    }

    /// Starts a sync and waits for it; the time is the job's own, from its start to its finish.
    func sync(bot: String, source: String) async throws -> SyncResult {
        let id = try await send(.POST, "/api/v1/bots/\(bot)/data-sources/\(source)/syncs")["id"] as! String
        while true {
            let job = try await send(.GET, "/api/v1/syncs/\(id)")
            switch job["status"] as? String {
            case "succeeded":
                let formatter = ISO8601DateFormatter()
                formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                let started = formatter.date(from: job["startedAt"] as! String)!
                let finished = formatter.date(from: job["finishedAt"] as! String)!
                let results = job["results"] as! [String: Any]
                return SyncResult(
                    seconds: max(0.001, finished.timeIntervalSince(started)),
                    documents: results["totalDocuments"] as! Int,
                    tokens: results["totalTokens"] as! Int,
                    modified: results["modifiedRows"] as! Int
                )
            case "failed": throw ValidationError("The sync failed: \(job["reason"] ?? "")")
            default: try await Task.sleep(for: .milliseconds(50))
            }
        }
    }
}
