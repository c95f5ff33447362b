import ArgumentParser
import Embedding
import Foundation

/// The sentence-embedding model's throughput on passages of every kind of text in the tokenizer corpus (many
/// languages and scripts, code, JSON, emoji), one thread and one task per core, beside sentence-transformers
/// (PyTorch, one thread) embedding the same passages one at a time, timed around the work only.
struct EmbeddingBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embedding",
        abstract:
            "Embedding throughput (passages/s, tokens/s) per kind of text, and sentence-transformers' on the same."
    )

    @Option(help: "The model folder (scripts/setup.sh).")
    var model = "data/embedding/all-MiniLM-L6-v2"

    @Option(help: "Folder with one UTF-8 file per kind of text (scripts/tokenizer-corpus.py).")
    var corpus = ".build/tokenizer-corpus"

    @Option(help: "Passages per kind.")
    var passages = 32

    @Option(help: "Characters per passage, about (whole lines).")
    var characters = 1_000

    @Option(help: "A Python with sentence-transformers to compare with; none to skip.")
    var python = "python3"

    func run() async throws {
        let residentBefore = residentMegabytes()
        let loadStart = ContinuousClock.now
        let encoder = try SentenceEncoder(folder: URL(fileURLWithPath: model))
        let loadSeconds = (ContinuousClock.now - loadStart).seconds
        let loadedMiB = residentMegabytes() - residentBefore
        let kinds = try loadKinds()
        print(
            String(format: "model: loaded in %.2f s, +%.0f MiB resident; ", loadSeconds, loadedMiB)
                + "\(kinds.count) kinds × \(passages) passages of about \(characters) characters"
        )
        let reference = python == "none" ? nil : try? referenceSeconds(kinds)
        if reference == nil { print("sentence-transformers: not measured (pass --python with it installed)") }

        print(
            "| kind | tokens a passage | passages/s | tokens/s | sentence-transformers passages/s | Swift ÷ sentence-transformers |"
        )
        print("| --- | --- | --- | --- | --- | --- |")
        var totalSeconds = 0.0
        var totalTokens = 0
        var totalReference = 0.0
        for kind in kinds {
            let tokens = kind.passages.reduce(0) { $0 + encoder.tokenizer.encode($1).count }
            _ = encoder.embed(kind.passages[0])  // warm
            let start = ContinuousClock.now
            for passage in kind.passages { _ = encoder.embed(passage) }
            let seconds = (ContinuousClock.now - start).seconds
            totalSeconds += seconds
            totalTokens += tokens
            let theirs = reference?[kind.name]
            totalReference += theirs ?? 0
            print(
                "| \(kind.name) | \(tokens / kind.passages.count) | \(format(Double(kind.passages.count) / seconds)) | "
                    + "\(format(Double(tokens) / seconds)) | "
                    + "\(theirs.map { format(Double(kind.passages.count) / $0) } ?? "–") | "
                    + "\(theirs.map { format($0 / seconds) } ?? "–") |"
            )
        }
        let count = kinds.reduce(0) { $0 + $1.passages.count }
        print(
            "| total | \(totalTokens / count) | \(format(Double(count) / totalSeconds)) | "
                + "\(format(Double(totalTokens) / totalSeconds)) | "
                + "\(reference == nil ? "–" : format(Double(count) / totalReference)) | "
                + "\(reference == nil ? "–" : format(totalReference / totalSeconds)) |"
        )

        // One task per core, as a sync embeds its documents.
        let all = kinds.flatMap(\.passages)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let start = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for core in 0..<cores {
                group.addTask {
                    for index in stride(from: core, to: all.count, by: cores) { _ = encoder.embed(all[index]) }
                }
            }
        }
        let parallelSeconds = (ContinuousClock.now - start).seconds
        print(
            "\(cores) tasks: \(format(Double(all.count) / parallelSeconds)) passages/s, "
                + "\(format(Double(totalTokens) / parallelSeconds)) tokens/s; "
                + String(format: "resident %.0f MiB", residentMegabytes())
        )
        print(
            "{\"benchmark\":\"embedding\",\"loadSeconds\":\(format(loadSeconds)),\"loadedMiB\":\(format(loadedMiB)),"
                + "\"passagesPerSecond\":\(format(Double(count) / totalSeconds)),"
                + "\"tokensPerSecond\":\(format(Double(totalTokens) / totalSeconds)),"
                + "\"parallelPassagesPerSecond\":\(format(Double(all.count) / parallelSeconds)),"
                + "\"referencePassagesPerSecond\":\(reference == nil ? "null" : format(Double(count) / totalReference))}"
        )
    }

    struct Kind {
        let name: String
        let passages: [String]
    }

    /// The first `passages` passages of each kind: whole lines, up to about `characters` each.
    private func loadKinds() throws -> [Kind] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: corpus)) ?? []).filter {
            $0.hasSuffix(".txt")
        }
        guard !files.isEmpty else {
            throw ValidationError("No corpus in \(corpus): run scripts/setup-bench.sh (or pass --corpus FOLDER).")
        }
        return try files.sorted().map { file in
            let text = try String(contentsOfFile: "\(corpus)/\(file)", encoding: .utf8)
            var passages: [String] = []
            var current = ""
            for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
                current += current.isEmpty ? String(line) : "\n" + line
                if current.count >= characters {
                    passages.append(current)
                    current = ""
                    if passages.count == self.passages { break }
                }
            }
            if passages.count < self.passages, !current.isEmpty { passages.append(current) }
            return Kind(name: String(file.dropLast(4)), passages: passages)
        }
    }

    /// sentence-transformers' seconds per kind: one thread, one passage at a time, after a warm-up, in its own
    /// process reading the same passages.
    private func referenceSeconds(_ kinds: [Kind]) throws -> [String: Double] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("embedding-passages-\(UUID()).json")
        try JSONEncoder().encode(Dictionary(uniqueKeysWithValues: kinds.map { ($0.name, $0.passages) })).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = """
            import json, sys, time
            import torch
            torch.set_num_threads(1)
            from sentence_transformers import SentenceTransformer
            model = SentenceTransformer(sys.argv[1], device="cpu")
            kinds = json.load(open(sys.argv[2]))
            result = {}
            for name, passages in kinds.items():
                model.encode(passages[:1])
                start = time.perf_counter()
                for passage in passages:
                    model.encode([passage])
                result[name] = time.perf_counter() - start
            print(json.dumps(result))
            """
        let output = try runPython(python, script, arguments: [model, file.path])
        return try JSONDecoder().decode([String: Double].self, from: Data(output.utf8))
    }

    private func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
