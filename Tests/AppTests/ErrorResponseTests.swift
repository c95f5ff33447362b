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

@Suite struct HealthRoutesTests {
    @Test func healthzAnswersOK() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.get("/healthz", key: nil)
            #expect(reply.status == .ok)
            #expect(try reply.json == .object(["status": .string("ok")]))
        }
    }

    @Test func readyzIsOKWhileTheDatabaseAnswers() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.get("/readyz", key: nil)
            #expect(reply.status == .ok)
        }
    }

    @Test func readyzIs503WhenTheDatabaseIsUnavailable() async throws {
        let app = try await TestApp()
        try await app.run { api in
            // Given a database that no longer answers
            try app.database.pool.close()
            // When a load balancer asks whether the instance is ready
            let reply = try await api.get("/readyz", key: nil)
            // Then it is told not to send traffic here, while the process itself is alive
            #expect(reply.status == .serviceUnavailable)
            #expect(reply.errorCode == "not_ready")
            #expect(try await api.get("/healthz", key: nil).status == .ok)
        }
    }

    @Test func metricsCountRequestsByRouteAndStatus() async throws {
        let app = try await TestApp()
        try await app.run { api in
            _ = try await api.get("/api/v1/bots", key: app.ownerKey)
            _ = try await api.get("/api/v1/bots", key: nil)
            let reply = try await api.get("/metrics", key: nil)
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentType]?.hasPrefix("text/plain") == true)
            #expect(reply.text.contains(#"http_requests_total{method="GET",route="/api/v1/bots",status="200"} 1"#))
            #expect(reply.text.contains(#"http_requests_total{method="GET",route="/api/v1/bots",status="401"} 1"#))
            #expect(
                reply.text.contains(
                    #"http_request_duration_seconds_bucket{method="GET",route="/api/v1/bots",status="200",le="#
                )
            )
        }
    }

    @Test func metricsNeverCarryCredentials() async throws {
        let app = try await TestApp()
        try await app.run { api in
            _ = try await api.get("/api/v1/bots", key: app.ownerKey)
            #expect(!(try await api.get("/metrics", key: nil).text.contains(app.ownerKey)))
        }
    }

    @Test func theOpenAPIDocumentIsServed() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.get("/openapi.yaml", key: nil)
            #expect(reply.status == .ok)
            #expect(reply.text.hasPrefix("openapi: 3.1"))
        }
    }

    @Test(arguments: [
        ("/", "text/html"), ("/agent.html", "text/html"), ("/widget.html", "text/html"),
        ("/js/console.js", "javascript"), ("/css/app.css", "text/css"),
    ])
    func theConsolePagesAreServedWithTheirTypes(path: String, type: String) async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.get(path, key: nil)
            #expect(reply.status == .ok)
            // Browsers run module scripts only when they are served as JavaScript
            #expect(reply.headers[.contentType]?.contains(type) == true, "\(reply.headers[.contentType] ?? "none")")
        }
    }
}
