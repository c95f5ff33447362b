import Foundation
import Testing
import Yams

@testable import App

/// `Public/openapi.yaml` is part of the contract: it must parse, and describe exactly the routes the router has.
@Suite struct OpenAPIDocumentTests {
    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    func document() throws -> [String: Any] {
        let text = try String(contentsOf: packageRoot.appendingPathComponent("Public/openapi.yaml"), encoding: .utf8)
        return try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    func describedOperations() throws -> Set<String> {
        let paths = try #require(try document()["paths"] as? [String: Any])
        var operations: Set<String> = []
        for (path, item) in paths {
            let item = try #require(item as? [String: Any], "\(path)")
            for method in item.keys where Self.methods.contains(method) {
                operations.insert("\(method.uppercased()) \(path)")
            }
        }
        return operations
    }

    func routerOperations() async throws -> Set<String> {
        let router = try await routerForInspection()
        return Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
    }

    @Test func isOpenAPI31() throws {
        let version = try #require(try document()["openapi"] as? String)
        #expect(version.hasPrefix("3.1"))
    }

    @Test func describesEveryRoute() async throws {
        let missing = try await routerOperations().subtracting(try describedOperations())
        #expect(missing.isEmpty, "routes missing from openapi.yaml: \(missing.sorted())")
    }

    @Test func describesNoRouteThatDoesNotExist() async throws {
        let extra = try describedOperations().subtracting(try await routerOperations())
        #expect(extra.isEmpty, "openapi.yaml describes routes the server lacks: \(extra.sorted())")
    }

    @Test func listsExactlyTheErrorCodesTheServerAnswersWith() throws {
        let schemas = try #require((try document()["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let error = try #require(schemas["Error"] as? [String: Any])
        let payload = try #require((error["properties"] as? [String: Any])?["error"] as? [String: Any])
        let code = try #require((payload["properties"] as? [String: Any])?["code"] as? [String: Any])
        #expect(code["enum"] as? [String] == AppError.Code.allCases.map(\.rawValue))
    }

    @Test func listsExactlyTheHookTypesTheServerTakes() throws {
        let schemas = try #require((try document()["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let hookType = try #require(schemas["HookType"] as? [String: Any])
        #expect(hookType["enum"] as? [String] == HookType.allCases.map(\.rawValue))
    }

    /// Every POST takes an Idempotency-Key, so each may answer its refusals: a malformed key (400), a key still
    /// in use (409), a key reused for another request (422).
    @Test func everyPostDocumentsTheIdempotencyKeyAndItsRefusals() throws {
        let paths = try #require(try document()["paths"] as? [String: Any])
        for (path, item) in paths {
            guard let post = (item as? [String: Any])?["post"] as? [String: Any] else { continue }
            let parameters = (post["parameters"] as? [[String: Any]]) ?? []
            #expect(parameters.contains { ($0["$ref"] as? String)?.hasSuffix("/IdempotencyKey") == true }, "\(path)")
            let responses = try #require(post["responses"] as? [String: Any], "\(path)")
            #expect(["400", "409", "422"].allSatisfy { responses[$0] != nil }, "POST \(path)")
        }
    }

    @Test func everyReferenceResolves() throws {
        let document = try document()
        var references: [String] = []
        func collect(_ node: Any) {
            if let object = node as? [String: Any] {
                if let reference = object["$ref"] as? String { references.append(reference) }
                object.values.forEach(collect)
            } else if let array = node as? [Any] {
                array.forEach(collect)
            }
        }
        collect(document)
        #expect(!references.isEmpty)
        for reference in references {
            var node: Any? = document
            for part in reference.dropFirst(2).split(separator: "/") {
                node = (node as? [String: Any])?[String(part)]
            }
            #expect(node != nil, "unresolved \(reference)")
        }
    }

    @Test func everyOperationDocumentsItsErrors() throws {
        let paths = try #require(try document()["paths"] as? [String: Any])
        for (path, item) in paths {
            for (method, operation) in try #require(item as? [String: Any]) where Self.methods.contains(method) {
                let responses = try #require((operation as? [String: Any])?["responses"] as? [String: Any])
                #expect(responses.keys.contains { $0.hasPrefix("2") }, "\(method) \(path) has no success response")
                let isPublic = ((operation as? [String: Any])?["security"] as? [Any])?.isEmpty == true
                if path.hasPrefix("/api/v1/"), !isPublic {
                    #expect(responses["401"] != nil, "\(method) \(path) does not document 401")
                }
            }
        }
    }
}
