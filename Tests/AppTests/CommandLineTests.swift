import Foundation
import Hummingbird
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The `switchboard` executable as a user runs it: real processes, a real SQLite file, a real port.
@Suite(.serialized) struct CommandLineTests {

    /// Runs the executable to completion (killed after 30 s) and returns its exit code and standard output.
    /// The blocking waits happen off the concurrency pool, so other tests keep running meanwhile.
    func run(_ arguments: [String], input: String? = nil) async throws -> (status: Int32, output: String) {
        let (status, output, _, _) = try await runCapturingErrors(arguments, input: input)
        return (status, output)
    }

    /// The same, with standard error too, and how long the process ran after its standard error first held
    /// `marker` (nil when it never did).
    func runCapturingErrors(
        _ arguments: [String],
        input: String? = nil,
        marker: String? = nil
    ) async throws -> (status: Int32, output: String, errors: String, ranAfterMarker: Duration?) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try runBlocking(arguments, input: input, marker: marker) })
            }
        }
    }

    private func runBlocking(
        _ arguments: [String],
        input: String?,
        marker: String?
    ) throws -> (status: Int32, output: String, errors: String, ranAfterMarker: Duration?) {
        let process = Process()
        process.executableURL = Fixtures.executable
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        // A file, not a pipe: a process that floods its standard error must not block on it.
        let errorFile = temporaryFolder().appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        let errors = try FileHandle(forWritingTo: errorFile)
        defer { try? errors.close() }
        process.standardError = errors
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 30, execute: watchdog)
        defer { watchdog.cancel() }
        stdin.fileHandleForWriting.write(Data((input ?? "").utf8))
        try stdin.fileHandleForWriting.close()
        var markerSeen: ContinuousClock.Instant?
        while let marker, markerSeen == nil, process.isRunning {
            if String(decoding: try Data(contentsOf: errorFile), as: UTF8.self).contains(marker) { markerSeen = .now }
            Thread.sleep(forTimeInterval: 0.01)
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let exited = ContinuousClock.now
        let errorText = String(decoding: try Data(contentsOf: errorFile), as: UTF8.self)
        if let marker, markerSeen == nil, errorText.contains(marker) { markerSeen = exited }
        return (
            process.terminationStatus, String(decoding: data, as: UTF8.self), errorText, markerSeen.map { exited - $0 }
        )
    }

    @Test func serveOnAPortInUseSaysSoInOneLineAndExitsAtOnce() async throws {
        // Given a port another server listens on
        try await withLocalServer(Router()) { base in
            let port = String(base.split(separator: ":").last!)
            let database = temporaryFolder().appendingPathComponent("db.sqlite").path
            // When switchboard is started on it
            let (status, _, errors, ranAfterSaying) = try await runCapturingErrors(
                ["serve", "--port", port, "--database", database],
                marker: "is already in use"
            )
            // Then it says so in one clear line and exits non-zero at once (before the fix it spun on, for ever)
            #expect(status != 0)
            #expect(try #require(ranAfterSaying) < .seconds(1))
            #expect(errors.contains("port \(port) is already in use"), "\(errors.prefix(2000))")
            #expect(errors.utf8.count < 2000, "\(errors.prefix(2000))")
        }
    }

    @Test func workspaceCreatePrintsOneJSONLine() async throws {
        let database = temporaryFolder().appendingPathComponent("db.sqlite").path
        let (status, output) = try await run(["workspace", "create", "--name", "Acme", "--database", database])
        #expect(status == 0)
        let lines = output.split(separator: "\n")
        #expect(lines.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: String])
        #expect(Set(object.keys) == ["workspaceId", "apiKey"])
        #expect(object["apiKey"]?.hasPrefix("sk_") == true)
    }

    @Test func workspaceCreateRefusesAnEmptyName() async throws {
        let database = temporaryFolder().appendingPathComponent("db.sqlite").path
        let (status, output) = try await run(["workspace", "create", "--name", " ", "--database", database])
        #expect(status != 0)
        #expect(output.isEmpty)
    }

    @Test func migrateCreatesTheDatabaseAndItsFolder() async throws {
        let database = temporaryFolder().appendingPathComponent("nested/folder/db.sqlite").path
        let (status, _) = try await run(["migrate", "--database", database])
        #expect(status == 0)
        #expect(FileManager.default.fileExists(atPath: database))
    }

    @Test func serveRefusesToStartWithoutTheTokenizerData() async throws {
        let database = temporaryFolder().appendingPathComponent("db.sqlite").path
        let (status, _) = try await run([
            "serve", "--database", database, "--port", "0", "--tokenizer-data", "/nonexistent",
        ])
        #expect(status == 64)
        #expect(!FileManager.default.fileExists(atPath: database))
    }

    @Test func tokensCountCountsFilesAndJSONLines() async throws {
        let file = temporaryFolder().appendingPathComponent("text.txt")
        try "hello world".write(to: file, atomically: true, encoding: .utf8)
        let (status, output) = try await run(["tokens", "count", file.path])
        #expect(status == 0)
        #expect(output == "2 \(file.path)\n")
        let (jsonlStatus, counts) = try await run(
            ["tokens", "count", "--jsonl", "--encoding", "o200k_base"],
            input: "{\"text\": \"hello world\"}\n{\"text\": \"é😀\"}\n"
        )
        #expect(jsonlStatus == 0)
        #expect(counts == "2\n2\n")
    }

    @Test func serveRefusesAnInvalidOption() async throws {
        let (status, _) = try await run(["serve", "--log-level", "loud"])
        #expect(status == 64)
    }

    @Test func serveCreatesTheDefaultWorkspaceOnceAndStopsCleanlyOnSIGTERM() async throws {
        let database = temporaryFolder().appendingPathComponent("db.sqlite").path

        // First start: the key is printed, the server answers with it, SIGTERM exits 0.
        let first = try await ServerProcess.start(database: database)
        let key = try #require(first.output.firstMatch(of: /sk_[0-9a-f]+/).map { String($0.output) })
        #expect(first.output.contains(#"Created workspace "Default""#))
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(first.port)/api/v1/workspace")!)
        request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
        let (body, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: body, as: UTF8.self).contains(#""name":"Default""#))
        #expect(try await first.stop() == 0)

        // Second start on the same file: no new workspace, no key.
        let second = try await ServerProcess.start(database: database)
        #expect(!second.output.contains("sk_"))
        #expect(try await second.stop(signal: SIGINT) == 0)
    }
}
