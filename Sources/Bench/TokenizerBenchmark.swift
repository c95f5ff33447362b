import ArgumentParser
import Foundation
import Tokenizer

/// `switchboard-bench tokenizer`: single-threaded throughput of the Swift tokenizer per kind of text, next to
/// tiktoken's `encode_ordinary` on the same bytes in the same run. Both sides are timed in process around the
/// encoding only (the text is already in memory), both produce the list of token ids, and the best of
/// `--runs` is kept for each kind.
///
/// The corpus is a folder with one UTF-8 file per kind (`scripts/tokenizer-corpus.py` builds it); tiktoken
/// runs in the Python that `scripts/setup-bench.sh` prepares.
struct TokenizerBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Tokenizer throughput per kind of text, and tiktoken's on the same text."
    )

    @Option(help: "Folder of the .tiktoken rank files.")
    var tokenizerData = "data/tokenizer"

    @Option(help: "Folder with one UTF-8 file per kind of text (scripts/tokenizer-corpus.py).")
    var corpus = ".build/tokenizer-corpus"

    @Option(help: "A Python with tiktoken installed (scripts/setup-bench.sh).")
    var python = ".build/bench-python/bin/python3"

    @Option(help: "Timed runs per kind; the best is reported.")
    var runs = 3

    struct Kind {
        let name: String
        let text: String
        var megabytes: Double { Double(text.utf8.count) / 1_000_000 }
    }

    /// One encoding's figures for one kind.
    struct Figures {
        var swiftSeconds: Double
        var swiftTokens: Int
        var tiktokenSeconds: Double?
        var tiktokenTokens: Int?
    }

    func run() async throws {
        let kinds = try loadKinds()
        let total = kinds.reduce(0) { $0 + $1.megabytes }
        let tiktokenVersion = try? tiktokenVersion()
        print(
            String(format: "corpus: %.2f MB in %d kinds (%@)", total, kinds.count, corpus)
                + ", tiktoken \(tiktokenVersion ?? "not available (run scripts/setup-bench.sh)")"
        )

        // Both encodings loaded together, as the server holds them.
        let residentBefore = residentMegabytes()
        var loaded: [(Encoding, loadMs: Double)] = []
        for name in Encoding.Name.allCases {
            let loadStart = ContinuousClock.now
            loaded.append(
                (try Encoding.load(name, from: tokenizerData), (ContinuousClock.now - loadStart).milliseconds)
            )
        }
        let loadedMiB = residentMegabytes() - residentBefore
        print("both encodings: +\(format(loadedMiB)) MiB resident")

        var json: [String] = []
        for (encoding, loadMs) in loaded {
            let name = encoding.name
            let tiktoken = tiktokenVersion == nil ? [:] : try tiktokenFigures(name)
            var figures: [String: Figures] = [:]
            for kind in kinds {
                var best = Double.infinity
                var tokens = 0
                for _ in 0..<runs {
                    let start = ContinuousClock.now
                    tokens = encoding.encode(kind.text).count
                    best = min(best, (ContinuousClock.now - start).seconds)
                }
                figures[kind.name] = Figures(
                    swiftSeconds: best,
                    swiftTokens: tokens,
                    tiktokenSeconds: tiktoken[kind.name]?.seconds,
                    tiktokenTokens: tiktoken[kind.name]?.tokens
                )
            }
            print("\n\(name.rawValue): loaded in \(format(loadMs)) ms")
            json.append(report(name, kinds: kinds, figures: figures, loadMs: loadMs))
        }
        print(
            "{\"benchmark\":\"tokenizer\",\"tiktoken\":\"\(tiktokenVersion ?? "")\",\"megabytes\":\(format(total)),"
                + "\"loadedMiB\":\(format(loadedMiB)),\(json.joined(separator: ","))}"
        )
    }

    /// Prints the table for one encoding and returns its JSON member.
    private func report(
        _ name: Encoding.Name,
        kinds: [Kind],
        figures: [String: Figures],
        loadMs: Double
    ) -> String {
        print("| kind | MB | swift MB/s | tiktoken MB/s | swift ÷ tiktoken | tokens |")
        print("| --- | --- | --- | --- | --- | --- |")
        var rows: [String] = []
        func row(_ label: String, megabytes: Double, _ figures: Figures) {
            let swiftRate = megabytes / figures.swiftSeconds
            let tiktokenRate = figures.tiktokenSeconds.map { megabytes / $0 }
            let ratio = tiktokenRate.map { swiftRate / $0 }
            let agree =
                figures.tiktokenTokens.map { $0 == figures.swiftTokens ? "" : " (tiktoken: \($0): differ!)" } ?? ""
            print(
                "| \(label) | \(format(megabytes)) | \(format(swiftRate)) | \(tiktokenRate.map(format) ?? "–") | "
                    + "\(ratio.map(format) ?? "–") | \(figures.swiftTokens)\(agree) |"
            )
            rows.append(
                "\"\(label)\":{\"swiftMBps\":\(format(swiftRate)),\"tokens\":\(figures.swiftTokens)"
                    + (tiktokenRate.map { ",\"tiktokenMBps\":\(format($0)),\"ratio\":\(format(ratio!))" } ?? "")
                    + (figures.tiktokenTokens.map { ",\"tiktokenTokens\":\($0)" } ?? "") + "}"
            )
        }
        var sum = Figures(swiftSeconds: 0, swiftTokens: 0, tiktokenSeconds: 0, tiktokenTokens: 0)
        for kind in kinds {
            let figures = figures[kind.name]!
            row(kind.name, megabytes: kind.megabytes, figures)
            sum.swiftSeconds += figures.swiftSeconds
            sum.swiftTokens += figures.swiftTokens
            sum.tiktokenSeconds = figures.tiktokenSeconds.flatMap { seconds in sum.tiktokenSeconds.map { $0 + seconds }
            }
            sum.tiktokenTokens = figures.tiktokenTokens.flatMap { tokens in sum.tiktokenTokens.map { $0 + tokens } }
        }
        row("total", megabytes: kinds.reduce(0) { $0 + $1.megabytes }, sum)
        return "\"\(name.rawValue)\":{\"loadMs\":\(format(loadMs)),"
            + "\"kinds\":{\(rows.joined(separator: ","))}}"
    }

    private func format(_ value: Double) -> String { String(format: "%.2f", value) }

    private func loadKinds() throws -> [Kind] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: corpus)) ?? []
        let kinds = try files.filter { $0.hasSuffix(".txt") }.sorted().map { file in
            Kind(
                name: String(file.dropLast(4)),
                text: try String(contentsOfFile: "\(corpus)/\(file)", encoding: .utf8)
            )
        }
        guard !kinds.isEmpty else {
            throw ValidationError("No corpus in \(corpus): run scripts/setup-bench.sh (or pass --corpus FOLDER).")
        }
        return kinds
    }

    private func tiktokenVersion() throws -> String {
        try runPython(python, "import tiktoken; print(tiktoken.__version__)", arguments: [])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// tiktoken's best time and token count for each kind, one thread, reading the same verified rank files.
    private func tiktokenFigures(_ name: Encoding.Name) throws -> [String: (seconds: Double, tokens: Int)] {
        let script = """
            import hashlib, os, shutil, sys, tempfile, time
            name, data, corpus, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
            cache = tempfile.mkdtemp()
            url = f"https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
            shutil.copy(os.path.join(data, f"{name}.tiktoken"), os.path.join(cache, hashlib.sha1(url.encode()).hexdigest()))
            os.environ["TIKTOKEN_CACHE_DIR"] = cache
            os.environ["RAYON_NUM_THREADS"] = "1"
            import tiktoken
            encoding = tiktoken.get_encoding(name)
            for file in sorted(f for f in os.listdir(corpus) if f.endswith(".txt")):
                text = open(os.path.join(corpus, file), encoding="utf-8", newline="").read()
                best = float("inf")
                for _ in range(runs):
                    start = time.perf_counter()
                    tokens = encoding.encode_ordinary(text)
                    best = min(best, time.perf_counter() - start)
                print(file[:-4], best, len(tokens))
            shutil.rmtree(cache)
            """
        let output = try runPython(python, script, arguments: [name.rawValue, tokenizerData, corpus, String(runs)])
        var figures: [String: (seconds: Double, tokens: Int)] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let seconds = Double(fields[1]), let tokens = Int(fields[2]) else { continue }
            figures[String(fields[0])] = (seconds, tokens)
        }
        return figures
    }

}
