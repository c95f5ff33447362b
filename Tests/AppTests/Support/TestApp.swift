import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import Tokenizer

@testable import App

/// A Switchboard built by the real `buildApplication` on a fresh store, with two workspaces ("Acme" and "Other")
/// whose owner keys the tests use. The store is a new SQLite file, or, when `SWITCHBOARD_TEST_POSTGRES` names a
/// PostgreSQL database (as `make test` does for its second run), a new schema of that database.
struct TestApp {
    let databasePath: String
    /// The app's own store: what tests write through it wakes the app's workers.
    let store: any Store
    /// The PostgreSQL role the store connects as (its schema has the same name); nil on SQLite.
    let postgresRole: String?
    let ownerKey: String
    let otherOwnerKey: String
    var configuration: AppConfiguration

    /// `onSQLite` keeps the app on a SQLite file even in the PostgreSQL run (to copy one into PostgreSQL).
    init(onSQLite: Bool = false, configure: (inout AppConfiguration) -> Void = { _ in }) async throws {
        databasePath = temporaryFolder().appendingPathComponent("switchboard.sqlite").path
        var configuration = AppConfiguration()
        configuration.databasePath = databasePath
        configuration.port = 0
        configuration.publicDirectory = packageRoot.appendingPathComponent("Public").path
        configuration.tokenizerDirectory = packageRoot.appendingPathComponent("data/tokenizer").path
        configure(&configuration)
        self.configuration = configuration
        (store, postgresRole) =
            onSQLite ? (try SQLiteStore(path: databasePath), nil) : try await TestStore.open(sqlitePath: databasePath)
        ownerKey = try await store.createWorkspace(name: "Acme").1.plaintext
        otherOwnerKey = try await store.createWorkspace(name: "Other").1.plaintext
    }

    private init(
        databasePath: String,
        store: any Store,
        postgresRole: String?,
        ownerKey: String,
        otherOwnerKey: String,
        configuration: AppConfiguration
    ) {
        self.databasePath = databasePath
        self.store = store
        self.postgresRole = postgresRole
        self.ownerKey = ownerKey
        self.otherOwnerKey = otherOwnerKey
        self.configuration = configuration
    }

    /// The same database and keys under another configuration, as a restart with other options would be.
    static func reopen(_ app: TestApp, configure: (inout AppConfiguration) -> Void) async throws -> TestApp {
        var configuration = app.configuration
        configure(&configuration)
        return TestApp(
            databasePath: app.databasePath,
            store: app.store,
            postgresRole: app.postgresRole,
            ownerKey: app.ownerKey,
            otherOwnerKey: app.otherOwnerKey,
            configuration: configuration
        )
    }

    /// The same keys and configuration on another store, as after moving the installation there.
    func moved(to store: any Store, role: String?) -> TestApp {
        TestApp(
            databasePath: databasePath,
            store: store,
            postgresRole: role,
            ownerKey: ownerKey,
            otherOwnerKey: otherOwnerKey,
            configuration: configuration
        )
    }

    /// A second instance on the same PostgreSQL database: its own client, listener and workers, the same keys.
    func anotherInstance() throws -> TestApp {
        let role = try #require(postgresRole, "several instances need PostgreSQL")
        return TestApp(
            databasePath: databasePath,
            store: try TestStore.connect(role: role),
            postgresRole: role,
            ownerKey: ownerKey,
            otherOwnerKey: otherOwnerKey,
            configuration: configuration
        )
    }

    /// The embedding model, loaded once for all tests; none when the configuration says so.
    private var embedder: Embedder? {
        configuration.embeddingModelPath == AppConfiguration.noEmbeddingModel ? nil : sharedEmbedder
    }

    /// Runs `body` against the app in-process (no sockets), the usual way to test a route.
    func run<Value: Sendable>(_ body: @Sendable (API) async throws -> Value) async throws -> Value {
        let app = try await buildApplication(
            configuration,
            store: store,
            storeServices: storeServices,
            encodings: sharedEncodings,
            embedder: embedder
        )
        return try await app.test(.router) { client in try await body(API(client: client)) }
    }

    /// Runs `body` against the app listening on 127.0.0.1, for what needs a real socket (event streams);
    /// passes its base URL too.
    func runLive<Value: Sendable>(_ body: @Sendable (API, String) async throws -> Value) async throws -> Value {
        let app = try await buildApplication(
            configuration,
            store: store,
            storeServices: storeServices,
            encodings: sharedEncodings,
            embedder: embedder
        )
        return try await app.test(.live) { client in
            try await body(API(client: client), "http://127.0.0.1:\(client.port!)")
        }
    }
}

/// Both encodings, loaded once for all tests.
let sharedEncodings = try! TokenEncodings.load(from: packageRoot.appendingPathComponent("data/tokenizer").path)
/// The committed model (`make setup` fetches it), loaded once for all tests.
let sharedEmbedder = try! Embedder(folder: packageRoot.appendingPathComponent("data/embedding/all-MiniLM-L6-v2"))
/// cl100k_base, the default.
let sharedEncoding = sharedEncodings.cl100k

/// The app's router as the real builder makes it, on a scratch database, to list its routes.
func routerForInspection() async throws -> Router<AppRequestContext> {
    let store = try SQLiteStore(path: temporaryFolder().appendingPathComponent("routes.sqlite").path)
    let dependencies = AppDependencies(
        AppConfiguration(),
        store: store,
        encodings: sharedEncodings,
        embedder: nil,
        logger: Logger(label: "routes")
    )
    try await dependencies.httpClient.client.shutdown()
    try await dependencies.httpClient.operatorClient.shutdown()
    return buildRouter(store: store, dependencies: dependencies, configuration: AppConfiguration())
}

/// A new empty folder in this test process's scratch folder.
func temporaryFolder() -> URL {
    let folder = scratchFolder.appendingPathComponent(UUID().uuidString, isDirectory: true)
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

/// `switchboard-tests/<pid>` under the system's temporary directory. Tests reopen their databases until the
/// process ends, so each run leaves its folder behind, and the next run removes the folders of processes that
/// are gone.
private let scratchFolder: URL = {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-tests", isDirectory: true)
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
    for entry in entries where Int32(entry).map({ kill($0, 0) != 0 }) ?? true {
        try? FileManager.default.removeItem(at: root.appendingPathComponent(entry))
    }
    return root.appendingPathComponent(String(getpid()), isDirectory: true)
}()

/// The package's root folder, found from this file's place in it.
let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A thin JSON client over HummingbirdTesting's.
struct API: Sendable {
    let client: any TestClientProtocol

    struct Reply: Sendable {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let text: String

        var json: JSONValue {
            get throws { try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }
        }

        /// The `error.code` of an error body.
        var errorCode: String? { (try? json)?["error"]?["code"]?.string }
    }

    func request(
        _ method: HTTPRequest.Method,
        _ path: String,
        key: String? = nil,
        body: String? = nil,
        contentType: String? = "application/json",
        headers extra: HTTPFields = [:]
    ) async throws -> Reply {
        var headers = extra
        if let key { headers[.authorization] = "Bearer \(key)" }
        if body != nil, let contentType { headers[.contentType] = contentType }
        let response = try await client.execute(
            uri: path,
            method: method,
            headers: headers,
            body: body.map { ByteBuffer(string: $0) }
        )
        return Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    func get(_ path: String, key: String?) async throws -> Reply {
        try await request(.get, path, key: key)
    }

    func post(_ path: String, key: String?, json: String) async throws -> Reply {
        try await request(.post, path, key: key, body: json)
    }

    func patch(_ path: String, key: String?, json: String) async throws -> Reply {
        try await request(.patch, path, key: key, body: json)
    }

    func delete(_ path: String, key: String?) async throws -> Reply {
        try await request(.delete, path, key: key)
    }

    /// Creates a bot, expecting 201, and returns it.
    func createBot(name: String = "Helper", humanTakeoverEnabled: Bool = false, key: String) async throws -> JSONValue {
        let reply = try await post(
            "/api/v1/bots",
            key: key,
            json: #"{"name": \#(jsonString(name)), "humanTakeoverEnabled": \#(humanTakeoverEnabled)}"#
        )
        #expect(reply.status == .created, "\(reply.text)")
        return try reply.json
    }

    /// Creates an agent, expecting 201, and returns it with its one-time `token`.
    func createAgent(name: String = "Ann", email: String = "ann@example.com", key: String) async throws -> JSONValue {
        let reply = try await post(
            "/api/v1/agents",
            key: key,
            json: #"{"name": \#(jsonString(name)), "email": \#(jsonString(email))}"#
        )
        #expect(reply.status == .created, "\(reply.text)")
        return try reply.json
    }
}

func jsonString(_ value: String) -> String {
    String(decoding: try! JSONEncoder().encode(value), as: UTF8.self)
}

extension JSONValue {
    subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    subscript(index: Int) -> JSONValue? {
        if case .array(let array) = self, array.indices.contains(index) { return array[index] }
        return nil
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var int: Int? {
        if case .number(let value) = self { return Int(exactly: value) }
        return nil
    }

    var double: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    var array: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    var object: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    var keys: Set<String> {
        if case .object(let object) = self { return Set(object.keys) }
        return []
    }
}
