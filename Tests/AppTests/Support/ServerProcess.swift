import Foundation

/// A `switchboard serve` process on a free port, its output and log in files of its own folder (a pipe nobody
/// reads would stall a busy server).
struct ServerProcess {
    let process: Process
    let port: Int
    let folder: URL

    var url: String { "http://127.0.0.1:\(port)" }
    /// What it printed (a first start prints the default workspace's key).
    var output: String { (try? String(contentsOf: folder.appendingPathComponent("stdout"), encoding: .utf8)) ?? "" }
    var log: String { (try? String(contentsOf: folder.appendingPathComponent("stderr"), encoding: .utf8)) ?? "" }

    static func start(database: String, arguments: [String] = []) async throws -> ServerProcess {
        let folder = temporaryFolder()
        let stdout = folder.appendingPathComponent("stdout")
        let stderr = folder.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: stdout.path, contents: nil)
        FileManager.default.createFile(atPath: stderr.path, contents: nil)
        let process = Process()
        process.executableURL = Fixtures.executable
        process.arguments = ["serve", "--database", database, "--port", "0"] + arguments
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = try FileHandle(forWritingTo: stderr)
        try process.run()
        // The log line "listening on 127.0.0.1:PORT" says where it is.
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline && process.isRunning {
            let log = (try? String(contentsOf: stderr, encoding: .utf8)) ?? ""
            if let match = log.firstMatch(of: /listening on 127\.0\.0\.1:(\d+)/) {
                return ServerProcess(process: process, port: Int(match.output.1)!, folder: folder)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.terminate()
        throw ServerDidNotStart(log: (try? String(contentsOf: stderr, encoding: .utf8)) ?? "")
    }

    /// Sends `signal` and waits up to 15 s for the process to end; its exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) async throws -> Int32 {
        kill(process.processIdentifier, signal)
        for _ in 0..<300 where process.isRunning {
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }

    struct ServerDidNotStart: Error {
        let log: String
    }
}
