import Foundation
import Testing
import Yams

@testable import App

/// The event catalogue: every hook type described with its payload's JSON Schema, the same schemas as
/// `openapi.yaml`'s components. (Every body a test receiver gets is validated against them: `TestReceiver`.)
@Suite struct HookCatalogTests {
    @Test func theCatalogueListsEveryHookTypeWithWhatItTakesAndItsPayloadSchema() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.get("/api/v1/hook-types", key: app.ownerKey)
            #expect(reply.status == .ok)
            let types = try #require(try reply.json["data"]?.array)
            #expect(types.compactMap { $0["type"]?.string } == HookType.allCases.map(\.rawValue))
            for entry in types {
                let type = try #require(entry["type"]?.string.flatMap(HookType.init(rawValue:)))
                #expect(entry["description"]?.string?.isEmpty == false)
                #expect(entry["takesTarget"]?.bool == type.hasTarget)
                #expect(entry["takesDataSource"]?.bool == type.takesDataSource)
                #expect(entry["requiresDataSource"]?.bool == type.requiresDataSource)
                // Every type that sends something has a schema; the trigger (inbound) none
                #expect((entry["payloadSchema"]?.object != nil) == type.hasTarget, "\(type)")
            }
        }
    }

    @Test func theCatalogueIsForOwners() async throws {
        let app = try await TestApp()
        try await app.run { api in
            #expect(try await api.get("/api/v1/hook-types", key: nil).status == .unauthorized)
            let agent = try await api.createAgent(key: app.ownerKey)["token"]!.string!
            #expect(try await api.get("/api/v1/hook-types", key: agent).status == .forbidden)
        }
    }

    @Test func everyPayloadSchemaIsTheOpenAPIComponentOfItsName() throws {
        let text = try String(contentsOf: packageRoot.appendingPathComponent("Public/openapi.yaml"), encoding: .utf8)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        for entry in HookCatalog.entries {
            guard let name = entry.schemaName, let schema = entry.schema else { continue }
            var component = try #require(schemas[name].map(Self.json), "openapi.yaml lacks \(name)")
            if case .object(var fields) = component {
                fields["description"] = nil  // the document's prose, not part of the schema
                component = .object(fields)
            }
            #expect(component == schema, "\(name) differs from the catalogue's")
        }
    }

    @Test func aPayloadThatLacksAKeyOrHasAnotherEventBreaksItsSchema() throws {
        let schema = try #require(HookCatalog.entry(for: .conversationClaimed).schema)
        let valid: JSONValue = [
            "event": "conversation.claimed", "timestamp": "2026-12-02T10:00:00.000Z", "sequence": 3,
            "conversation": [
                "id": "c", "botId": "b", "botName": "Helper", "channelType": "web", "state": "Active",
            ],
            "agent": ["name": "Jane", "email": "jane@example.com"],
        ]
        #expect(JSONSchemaValidator.violations(of: valid, against: schema).isEmpty)
        guard case .object(var fields) = valid else { return }
        fields["sequence"] = nil
        fields["event"] = "conversation.released"
        let violations = JSONSchemaValidator.violations(of: .object(fields), against: schema)
        #expect(violations.count == 2, "\(violations)")
    }

    /// A YAML node as JSON (YAML's integers, booleans and strings are JSON's).
    private static func json(_ node: Any) -> JSONValue {
        switch node {
        case let object as [String: Any]: .object(object.mapValues(json))
        case let array as [Any]: .array(array.map(json))
        case let bool as Bool: .bool(bool)
        case let int as Int: .number(Double(int))
        case let double as Double: .number(double)
        case let string as String: .string(string)
        default: .null
        }
    }
}
