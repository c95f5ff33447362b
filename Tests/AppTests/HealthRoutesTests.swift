import Hummingbird
import Testing

@testable import App

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
            // The check allows the database 2 s; with the whole suite running 32 tests at once on 2 cores, one
            // check may miss that, so the instance must be ready within a few checks, as a load balancer sees it.
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<5 where statuses.last != .ok {
                statuses.append(try await api.get("/readyz", key: nil).status)
            }
            #expect(statuses.last == .ok, "\(statuses)")
        }
    }

    @Test func readyzIs503WhenTheDatabaseIsUnavailable() async throws {
        let app = try await TestApp()
        try await app.run { api in
            // Given a database that no longer answers
            try await app.makeStoreUnavailable()
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
