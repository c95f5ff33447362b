import ArgumentParser
import Foundation

/// Where the benchmarks find Switchboard: a server at `--url` (with `--key`), or one they start themselves on a
/// temporary database with the options the load needs.
struct ServerOptions: ParsableArguments {
    @Option(help: "A running server to measure (its owner key in --key); by default the bench starts one.")
    var url: String?

    @Option(help: "The owner key of the server at --url.")
    var key: String?

    @Option(help: "The switchboard executable to start.")
    var server = ".build/release/switchboard"

    @Option(help: "Folder of the .tiktoken rank files.")
    var tokenizerData = "data/tokenizer"

    func validate() throws {
        if url != nil, key == nil { throw ValidationError("--url needs --key.") }
    }

    /// The server to measure. A started one may reach hook receivers on loopback and is not rate limited.
    func start(_ extraArguments: [String] = []) throws -> BenchServer {
        if let url, let key { return BenchServer(base: url, key: key, process: nil, folder: nil) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-bench-\(UUID())")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: server)
        process.arguments =
            [
                "serve", "--port", "0", "--database", folder.appendingPathComponent("db.sqlite").path,
                "--tokenizer-data", tokenizerData, "--allow-private-targets",
                "--visitor-rate-limit", "1000000", "--bot-rate-limit", "1000000",
            ] + extraArguments
        let output = Pipe()
        let log = Pipe()
        process.standardOutput = output
        process.standardError = log
        try process.run()
        let (key, base) = try Self.keyAndAddress(output: output, log: log)
        // Keep reading, so a chatty server never blocks on a full pipe.
        for pipe in [output, log] { pipe.fileHandleForReading.readabilityHandler = { _ = $0.availableData } }
        return BenchServer(base: base, key: key, process: process, folder: folder)
    }

    /// Reads the owner key from the server's first-start banner and its port from the "listening on" log line.
    private static func keyAndAddress(output: Pipe, log: Pipe) throws -> (String, String) {
        var logText = ""
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, logText.firstMatch(of: /listening on 127\.0\.0\.1:(\d+)/) == nil {
            logText += String(decoding: log.fileHandleForReading.availableData, as: UTF8.self)
        }
        guard let port = logText.firstMatch(of: /listening on 127\.0\.0\.1:(\d+)/).map({ String($0.output.1) }) else {
            throw ValidationError("The server did not start: \(logText)")
        }
        let banner = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        guard let key = banner.firstMatch(of: /sk_[0-9a-f]+/).map({ String($0.output) }) else {
            throw ValidationError("The server printed no key.")
        }
        return (key, "http://127.0.0.1:\(port)")
    }
}

/// A server under measurement; `stop()` ends one the bench started.
struct BenchServer: Sendable {
    let base: String
    let key: String
    let process: Process?
    let folder: URL?

    /// The server's resident memory now and at its peak, in MiB (only for a server the bench started).
    var memory: (current: Double, peak: Double)? {
        guard let pid = process?.processIdentifier,
            let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        else { return nil }
        func kibibytes(_ field: String) -> Double? {
            status.split(separator: "\n").first { $0.hasPrefix(field + ":") }
                .flatMap { Double($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") }
        }
        guard let current = kibibytes("VmRSS"), let peak = kibibytes("VmHWM") else { return nil }
        return (current / 1024, peak / 1024)
    }

    func stop() {
        guard let process else { return }
        process.interrupt()
        process.waitUntilExit()
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }
}

extension Process: @retroactive @unchecked Sendable {}
