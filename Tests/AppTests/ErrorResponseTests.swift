import Hummingbird
import Testing

@testable import App

@Suite struct ErrorResponseTests {
    @Test func unknownRouteIsJSON404() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.get("/api/v1/nothing-here", key: app.ownerKey)
            #expect(reply.status == .notFound)
            #expect(reply.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(reply.errorCode == "not_found")
            #expect(try reply.json["error"]?["message"]?.string?.isEmpty == false)
        }
    }

    @Test func unsupportedMethodIsJSON404() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.request(.put, "/api/v1/bots", key: app.ownerKey, body: "{}")
            #expect(reply.status == .notFound)
            #expect(reply.errorCode == "not_found")
        }
    }

    @Test(arguments: ["{\"name\": ", "not json", "", "{\"name\": \"a\"} trailing"])
    func malformedJSONIs400(body: String) async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.post("/api/v1/bots", key: app.ownerKey, json: body)
            #expect(reply.status == .badRequest)
            #expect(reply.errorCode == "malformed_json")
        }
    }

    @Test func bodyThatIsNotAnObjectIs400() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.post("/api/v1/bots", key: app.ownerKey, json: "[1, 2]")
            #expect(reply.status == .badRequest)
            #expect(reply.errorCode == "malformed_json")
        }
    }

    @Test(arguments: ["text/plain", "application/x-www-form-urlencoded", nil])
    func nonJSONContentTypeIs415(contentType: String?) async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.request(
                .post,
                "/api/v1/bots",
                key: app.ownerKey,
                body: #"{"name": "x"}"#,
                contentType: contentType
            )
            #expect(reply.status == .unsupportedMediaType)
            #expect(reply.errorCode == "unsupported_media_type")
        }
    }

    @Test func jsonWithCharsetIsAccepted() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.request(
                .post,
                "/api/v1/bots",
                key: app.ownerKey,
                body: #"{"name": "x"}"#,
                contentType: "application/json; charset=utf-8"
            )
            #expect(reply.status == .created)
        }
    }

    @Test func bodyOverOneMebibyteIs413AndNothingIsWritten() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let body = #"{"name": "x", "padding": ""# + String(repeating: "a", count: 1 << 20) + #""}"#
            let reply = try await api.post("/api/v1/bots", key: app.ownerKey, json: body)
            #expect(reply.status == .contentTooLarge)
            #expect(reply.errorCode == "payload_too_large")
            #expect(try await api.get("/api/v1/bots", key: app.ownerKey).json["data"] == .array([]))
        }
    }
}
