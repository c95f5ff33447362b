import ArgumentParser
import Foundation

/// `switchboard-bench retrieval`: for bots of growing size, the time their first sync takes with vectors and the
/// latency of the owner's search (what every bot reply runs) in hybrid and lexical mode, one question at a time,
/// beside the trivial route's latency measured the same way in the same run.
struct RetrievalBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrieval",
        abstract: "Search latency, hybrid and lexical, for bots of 1,000 and 50,000 documents."
    )

    @OptionGroup var server: ServerOptions

    @Option(parsing: .upToNextOption, help: "Documents of each bot.")
    var documents = [1_000, 50_000]

    @Option(help: "Questions asked of each bot in each mode.")
    var questions = 400

    func run() async throws {
        try await Session.run(server, connections: 4) { started, api in
            _ = try await api.send(.PATCH, "/api/v1/workspace", #"{"monthlyStorageTokenLimit": 1000000000000}"#)
            let sentences = Self.sentences()
            for count in documents {
                let (bot, seconds) = try await Self.bot(api, documents: count, sentences: sentences)
                print(
                    String(
                        format: "%d documents: first sync with vectors %.1f s (%.0f documents/s)",
                        count,
                        seconds,
                        Double(count) / seconds
                    )
                )
                let ceiling = await Load.run(concurrency: 1, duration: .seconds(60), calls: questions) { _ in
                    try await api.get("/healthz")
                }
                print("  trivial route: \(ceiling.latencies.summary)")
                for mode in ["hybrid", "lexical"] {
                    let result = await Load.run(concurrency: 1, duration: .seconds(600), calls: questions) { number in
                        let question = Self.question(number, sentences).addingPercentEncoding(
                            withAllowedCharacters: .alphanumerics
                        )!
                        _ = try await api.send(.GET, "/api/v1/bots/\(bot)/search?q=\(question)&mode=\(mode)")
                    }
                    if let error = result.firstError { print("  \(result.errors) errors, the first: \(error)") }
                    print("  search, \(mode): \(result.latencies.summary)")
                    print(
                        #"{"benchmark":"retrieval","documents":\#(count),"mode":"\#(mode)","latency":\#(result.latencies.json),"ceiling":\#(ceiling.latencies.json)}"#
                    )
                }
                if let memory = started.memory {
                    print(
                        String(format: "  server memory: %.0f MiB now, %.0f MiB at peak", memory.current, memory.peak)
                    )
                }
            }
        }
    }

    /// A bot whose one text data source holds `documents` short rows, synced; with the sync's own duration.
    private static func bot(_ api: BenchClient, documents: Int, sentences: [String]) async throws -> (String, Double) {
        let bot = try await api.send(.POST, "/api/v1/bots", #"{"name": "Bench \#(documents)"}"#)["id"] as! String
        let source =
            try await api.send(.POST, "/api/v1/bots/\(bot)/data-sources", #"{"name": "Notes", "type": "text"}"#)["id"]
            as! String
        for batch in stride(from: 0, to: documents, by: 2000) {
            let rows = (batch..<min(batch + 2000, documents)).map { index in
                let text = sentences[index % sentences.count] + " " + sentences[(index * 7 + 3) % sentences.count]
                return #"{"key": "note-\#(index)", "content": \#(BenchClient.json(text))}"#
            }
            _ = try await api.send(
                .POST,
                "/api/v1/bots/\(bot)/data-sources/\(source)/rows",
                #"{"rows": [\#(rows.joined(separator: ","))]}"#
            )
        }
        return (bot, try await api.sync(bot: bot, source: source).seconds)
    }

    /// Sentences of this repository's documents, the rows' material.
    private static func sentences() -> [String] {
        let text = ["README.md", "docs/DESIGN.md", "docs/PERFORMANCE.md"].compactMap {
            try? String(contentsOfFile: $0, encoding: .utf8)
        }
        .joined(separator: " ")
        let sentences = text.split(whereSeparator: { ".!?\n".contains($0) })
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.count > 30 && $0.count < 300 }
        return sentences.isEmpty ? ["Switchboard turns rows into token-counted documents"] : sentences
    }

    /// A question of a few words from one of the sentences, different for each number.
    private static func question(_ number: Int, _ sentences: [String]) -> String {
        let words = sentences[(number * 31) % sentences.count].split(separator: " ")
        let start = words.isEmpty ? 0 : (number * 5) % words.count
        return words[start..<min(words.count, start + 7)].joined(separator: " ") + "?"
    }
}
