import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@testable import App

/// A PostgreSQL cluster of a test's own (scripts/postgres.sh), for what the suite's shared one cannot take: a
/// restart, instances that are separate processes.
struct PostgresCluster {
    let folder: URL
    let url: String

    static func start() async throws -> PostgresCluster {
        let folder = temporaryFolder().appendingPathComponent("postgres")
        let url = try await script("postgres.sh", "start", folder.path).trimmingCharacters(in: .whitespacesAndNewlines)
        return PostgresCluster(folder: folder, url: url + "?sslmode=disable")
    }

    /// Stops the server (fast: open connections are cut), and starts it again on the same port after `pause`.
    func restart(after pause: Int) async throws {
        _ = try await Self.script("postgres.sh", "restart", folder.path, "\(pause)")
    }

    /// Asks the server to stop, without waiting for it (a test's `defer` cannot wait).
    func stop() {
        let process = Process()
        process.executableURL = packageRoot.appendingPathComponent("scripts/postgres.sh")
        process.arguments = ["stop", folder.path]
        try? process.run()
    }

    /// A new workspace; its owner key.
    func createWorkspace(name: String) async throws -> String {
        let line = try await Self.run(Fixtures.executable, ["workspace", "create", "--name", name, "--database", url])
        let json = try JSONDecoder().decode([String: String].self, from: Data(line.utf8))
        return try #require(json["apiKey"])
    }

    static func script(_ name: String, _ arguments: String...) async throws -> String {
        try await run(packageRoot.appendingPathComponent("scripts/\(name)"), arguments)
    }

    /// Runs `executable` to its end; its output, or an error with its log when it fails. Files, not pipes: the
    /// PostgreSQL server that `postgres.sh start` leaves running would hold a pipe open, and its reader waiting.
    /// Waits without holding a thread (tests share a pool of two), and at most two minutes.
    static func run(_ executable: URL, _ arguments: [String]) async throws -> String {
        let folder = temporaryFolder()
        let (outputFile, logFile) = (folder.appendingPathComponent("stdout"), folder.appendingPathComponent("stderr"))
        FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(forWritingTo: logFile)
        try process.run()
        let deadline = ContinuousClock.now + .seconds(120)
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                process.terminate()
                throw CommandFailed(
                    command: "\(executable.lastPathComponent) \(arguments)",
                    log: "did not end in 2 minutes"
                )
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        guard process.terminationStatus == 0 else {
            throw CommandFailed(
                command: "\(executable.lastPathComponent) \(arguments.joined(separator: " "))",
                log: (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
            )
        }
        return try String(contentsOf: outputFile, encoding: .utf8)
    }

    struct CommandFailed: Error {
        let command: String
        let log: String
    }
}

/// nginx from Debian's package, running the project's `deploy/nginx.conf` with the test's ports in place of the
/// ones it names.
struct LoadBalancer {
    let process: Process
    let port: Int

    var url: String { "http://127.0.0.1:\(port)" }

    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") }

    static func start(upstreams: [Int]) async throws -> LoadBalancer {
        let folder = temporaryFolder()
        let port = try freePort()
        var configuration = try String(
            contentsOf: packageRoot.appendingPathComponent("deploy/nginx.conf"),
            encoding: .utf8
        )
        configuration = configuration.replacingOccurrences(of: "127.0.0.1:8080", with: "127.0.0.1:\(port)")
        for (index, upstream) in upstreams.enumerated() {
            configuration = configuration.replacingOccurrences(
                of: "127.0.0.1:\(8081 + index)",
                with: "127.0.0.1:\(upstream)"
            )
        }
        try configuration.write(to: folder.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        process.arguments = ["-p", folder.path, "-c", "nginx.conf", "-g", "daemon off;"]
        process.standardError = try FileHandle(forWritingTo: emptyFile(folder.appendingPathComponent("error.log")))
        try process.run()
        for _ in 0..<200 {
            if (try? await ClusterClient().get("http://127.0.0.1:\(port)/healthz").status) != nil {
                return LoadBalancer(process: process, port: port)
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        process.terminate()
        throw PostgresCluster.CommandFailed(
            command: "nginx",
            log: (try? String(contentsOf: folder.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
        )
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    private static func emptyFile(_ url: URL) -> URL {
        FileManager.default.createFile(atPath: url.path, contents: nil)
        return url
    }

    private static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                guard bind(socket, $0, length) == 0, getsockname(socket, $0, &length) == 0 else {
                    throw CancellationError()
                }
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Requests to processes under test over real sockets; a refused or reset connection is an answer too (nil
/// status), since instances die in these tests.
struct ClusterClient: Sendable {
    /// The shared client by default; its eight connections to a host can all be taken by a test's load.
    var client: HTTPClient = .shared

    struct Reply: Sendable {
        let status: Int
        let body: String
        var json: JSONValue { get throws { try JSONDecoder().decode(JSONValue.self, from: Data(body.utf8)) } }
    }

    func get(_ url: String, key: String? = nil) async throws -> Reply {
        try await send(.GET, url, key: key, json: nil)
    }

    func post(_ url: String, key: String? = nil, json: String = "{}") async throws -> Reply {
        try await send(.POST, url, key: key, json: json)
    }

    private func send(_ method: HTTPMethod, _ url: String, key: String?, json: String?) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await client.execute(request, timeout: .seconds(15))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Reply(status: Int(response.status.code), body: String(buffer: body))
    }
}
