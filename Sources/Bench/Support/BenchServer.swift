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

    @Option(help: "The started server's --embedding-model: a model folder, or none for lexical search only.")
    var embeddingModel: String?

    func validate() throws {
        if url != nil, key == nil { throw ValidationError("--url needs --key.") }
    }

    @Option(help: "The database of a started server: a SQLite file (by default a temporary one) or a postgres:// URL.")
    var database: String?

    @Option(help: "Instances to start on the --database PostgreSQL database; requests go to them in turn.")
    var instances = 1

    /// The server to measure. A started one may reach hook receivers on loopback and is not rate limited.
    func start(_ extraArguments: [String] = []) throws -> BenchServer {
        if let url, let key { return BenchServer(bases: [url], key: key, processes: [], folder: nil) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-bench-\(UUID())")
        let database = database ?? folder.appendingPathComponent("db.sqlite").path
        let isPostgres = database.hasPrefix("postgres://") || database.hasPrefix("postgresql://")
        guard instances == 1 || isPostgres else { throw ValidationError("--instances needs a PostgreSQL --database.") }
        // On PostgreSQL the database may hold earlier runs: the bench makes a workspace of its own.
        let createdKey = isPostgres ? try createWorkspace(database) : nil
        var processes: [Process] = []
        var bases: [String] = []
        var bannerKey: String?
        for _ in 0..<instances {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: server)
            process.arguments =
                [
                    "serve", "--port", "0", "--database", database, "--tokenizer-data", tokenizerData,
                    "--allow-private-targets", "--visitor-rate-limit", "1000000", "--bot-rate-limit", "1000000",
                ] + (embeddingModel.map { ["--embedding-model", $0] } ?? []) + extraArguments
            let output = Pipe()
            let log = Pipe()
            process.standardOutput = output
            process.standardError = log
            try process.run()
            let (key, base) = try Self.keyAndAddress(output: output, log: log)
            // Keep reading, so a chatty server never blocks on a full pipe.
            for pipe in [output, log] { pipe.fileHandleForReading.readabilityHandler = { _ = $0.availableData } }
            processes.append(process)
            bases.append(base)
            bannerKey = bannerKey ?? key
        }
        guard let key = createdKey ?? bannerKey else { throw ValidationError("The server printed no key.") }
        return BenchServer(bases: bases, key: key, processes: processes, folder: folder)
    }

    /// A new workspace in `database` by `switchboard workspace create`; its owner key.
    private func createWorkspace(_ database: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: server)
        process.arguments = ["workspace", "create", "--name", "Bench", "--database", database]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let line = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let json = try? JSONSerialization.jsonObject(with: line) as? [String: String], let key = json["apiKey"]
        else { throw ValidationError("switchboard workspace create failed on \(database)") }
        return key
    }

    /// Reads the owner key from the server's first-start banner (nil when the database had a workspace) and its
    /// port from the "listening on" log line.
    private static func keyAndAddress(output: Pipe, log: Pipe) throws -> (String?, String) {
        var logText = ""
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, logText.firstMatch(of: /listening on 127\.0\.0\.1:(\d+)/) == nil {
            logText += String(decoding: log.fileHandleForReading.availableData, as: UTF8.self)
        }
        guard let port = logText.firstMatch(of: /listening on 127\.0\.0\.1:(\d+)/).map({ String($0.output.1) }) else {
            throw ValidationError("The server did not start: \(logText)")
        }
        let banner = String(decoding: output.fileHandleForReading.availableDataNonBlocking(), as: UTF8.self)
        return (banner.firstMatch(of: /sk_[0-9a-f]+/).map { String($0.output) }, "http://127.0.0.1:\(port)")
    }
}

/// A server under measurement, on one instance or several; `stop()` ends the ones the bench started.
struct BenchServer: Sendable {
    let bases: [String]
    let key: String
    let processes: [Process]
    let folder: URL?

    var base: String { bases[0] }

    /// Resident memory now and at its peak, in MiB, of the largest instance the bench started.
    var memory: (current: Double, peak: Double)? {
        let each = processes.compactMap { Self.memory(of: $0.processIdentifier) }
        guard let current = each.map(\.current).max(), let peak = each.map(\.peak).max() else { return nil }
        return (current, peak)
    }

    private static func memory(of pid: Int32) -> (current: Double, peak: Double)? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        func kibibytes(_ field: String) -> Double? {
            status.split(separator: "\n").first { $0.hasPrefix(field + ":") }
                .flatMap { Double($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") }
        }
        guard let current = kibibytes("VmRSS"), let peak = kibibytes("VmHWM") else { return nil }
        return (current / 1024, peak / 1024)
    }

    func stop() {
        for process in processes { process.interrupt() }
        for process in processes { process.waitUntilExit() }
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }
}

extension FileHandle {
    /// What is in the pipe now, without waiting for more (a server with a workspace prints nothing).
    func availableDataNonBlocking() -> Data {
        let flags = fcntl(fileDescriptor, F_GETFL)
        _ = fcntl(fileDescriptor, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(fileDescriptor, F_SETFL, flags) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = Glibc.read(fileDescriptor, &buffer, buffer.count)
            if count <= 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        return data
    }
}

extension Process: @retroactive @unchecked Sendable {}
