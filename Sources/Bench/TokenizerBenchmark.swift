import ArgumentParser
import Foundation
import Tokenizer

/// `switchboard-bench tokenizer`: single-threaded throughput of the Swift tokenizer over a multi-megabyte
/// corpus, next to tiktoken's `encode_ordinary` on the same bytes in the same run (when Python has tiktoken).
struct TokenizerBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Tokenizer throughput, and tiktoken's on the same text."
    )

    @Option(help: "Folder of the .tiktoken rank files.")
    var tokenizerData = "data/tokenizer"

    @Option(help: "A UTF-8 file to tokenize; by default a corpus built from this repository's text and code.")
    var corpus: String?

    @Option(help: "Size of the built corpus, in MB.")
    var megabytes = 4

    @Option(help: "Timed runs; the best is reported.")
    var runs = 3

    func run() async throws {
        let text =
            try corpus.map { try String(contentsOfFile: $0, encoding: .utf8) } ?? Self.builtCorpus(megabytes: megabytes)
        let megabytesOfText = Double(text.utf8.count) / 1_000_000
        let corpusFile = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-bench-corpus.txt")
        try text.write(to: corpusFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: corpusFile) }
        print(String(format: "corpus: %.2f MB (%@)", megabytesOfText, corpus ?? "built from the repository"))

        var results: [String] = []
        for name in Encoding.Name.allCases {
            let residentBefore = Self.residentMegabytes()
            let loadStart = ContinuousClock.now
            let encoding = try Encoding.load(name, from: tokenizerData)
            let loadMs = (ContinuousClock.now - loadStart).milliseconds
            let loadedMiB = Self.residentMegabytes() - residentBefore
            var best = Double.infinity
            var tokens = 0
            for _ in 0..<runs {
                let start = ContinuousClock.now
                tokens = encoding.count(text)
                best = min(best, (ContinuousClock.now - start).seconds)
            }
            let swiftRate = megabytesOfText / best
            let tiktoken = try? Self.tiktokenRate(name, file: corpusFile.path, data: tokenizerData, runs: runs)
            let ratio = tiktoken.map { swiftRate / $0.rate }
            print(
                "\(name.rawValue): swift \(format(swiftRate)) MB/s (\(tokens) tokens, loaded in \(format(loadMs)) ms, +\(format(loadedMiB)) MiB resident)"
                    + (tiktoken.map {
                        ", tiktoken \(format($0.rate)) MB/s (\($0.tokens) tokens), ratio \(format(ratio!))"
                    }
                        ?? ", tiktoken not available")
            )
            if let tiktoken, tiktoken.tokens != tokens {
                print("  token counts differ: \(tokens) vs \(tiktoken.tokens)")
            }
            results.append(
                "\"\(name.rawValue)\":{\"swiftMBps\":\(format(swiftRate)),\"loadMs\":\(format(loadMs)),\"loadedMiB\":\(format(loadedMiB)),\"tokens\":\(tokens)"
                    + (tiktoken.map { ",\"tiktokenMBps\":\(format($0.rate)),\"ratio\":\(format(ratio!))" } ?? "") + "}"
            )
        }
        print(
            "{\"benchmark\":\"tokenizer\",\"megabytes\":\(format(megabytesOfText)),\(results.joined(separator: ","))}"
        )
    }

    private func format(_ value: Double) -> String { String(format: "%.2f", value) }

    /// Resident memory of this process (Linux), in MiB.
    static func residentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kilobytes / 1024
    }

    /// Prose, code and many scripts: this repository's text and sources, the golden corpus, repeated.
    static func builtCorpus(megabytes: Int) throws -> String {
        var pieces: [String] = []
        for folder in ["Sources", "Tests", "Public", "../shared"] {
            let files = FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []
            for file in files.sorted() where [".swift", ".md", ".txt", ".yaml", ".py"].contains(where: file.hasSuffix) {
                if let text = try? String(contentsOfFile: "\(folder)/\(file)", encoding: .utf8) { pieces.append(text) }
            }
        }
        if let golden = try? Data(contentsOf: URL(fileURLWithPath: "Tests/TokenizerTests/Golden/golden.json")),
            let object = try? JSONSerialization.jsonObject(with: golden) as? [String: Any],
            let texts = object["texts"] as? [String]
        {
            pieces.append(texts.joined(separator: "\n"))
        }
        guard !pieces.isEmpty else { throw ValidationError("Run from the package root, or pass --corpus FILE.") }
        let unit = pieces.joined(separator: "\n\n")
        var corpus = ""
        while corpus.utf8.count < megabytes * 1_000_000 { corpus += unit }
        return corpus
    }

    /// tiktoken's best single-threaded rate over the file, via Python, reading the same verified rank files.
    static func tiktokenRate(
        _ name: Encoding.Name,
        file: String,
        data: String,
        runs: Int
    ) throws -> (rate: Double, tokens: Int)? {
        let script = """
            import hashlib, os, shutil, sys, tempfile, time
            cache = tempfile.mkdtemp()
            url = "https://openaipublic.blob.core.windows.net/encodings/\(name.rawValue).tiktoken"
            shutil.copy(os.path.join(sys.argv[2], "\(name.rawValue).tiktoken"), os.path.join(cache, hashlib.sha1(url.encode()).hexdigest()))
            os.environ["TIKTOKEN_CACHE_DIR"] = cache
            os.environ["RAYON_NUM_THREADS"] = "1"
            import tiktoken
            encoding = tiktoken.get_encoding("\(name.rawValue)")
            text = open(sys.argv[1], encoding="utf-8", newline="").read()
            best = float("inf")
            for _ in range(\(runs)):
                start = time.perf_counter()
                tokens = encoding.encode_ordinary(text)
                best = min(best, time.perf_counter() - start)
            print(len(text.encode("utf-8")) / 1e6 / best, len(tokens))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, file, data]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let result = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let fields = result.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard process.terminationStatus == 0, fields.count == 2, let rate = Double(fields[0]),
            let tokens = Int(fields[1])
        else { return nil }
        return (rate, tokens)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var milliseconds: Double { seconds * 1000 }
}
