import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@testable import App

@Suite struct SecurityHeaderTests {
    @Test(arguments: ["/", "/agent.html", "/api/v1/workspace", "/healthz"])
    func pagesAndTheAPICannotBeFramedSniffedOrLeakReferrers(path: String) async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.get(path, key: app.ownerKey)
            #expect(reply.status == .ok)
            let policy = reply.headers[.contentSecurityPolicy] ?? ""
            #expect(policy.contains("script-src 'self'") && policy.contains("style-src 'self'"), "\(policy)")
            #expect(policy.contains("frame-ancestors 'none'"))
            #expect(reply.headers[.init("X-Frame-Options")!] == "DENY")
            #expect(reply.headers[.xContentTypeOptions] == "nosniff")
            #expect(reply.headers[.init("Referrer-Policy")!] == "no-referrer")
        }
    }

    @Test func theWidgetPageMayBeFramedByAnySite() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.get("/widget.html", key: nil)
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentSecurityPolicy]?.contains("frame-ancestors *") == true)
            #expect(reply.headers[.init("X-Frame-Options")!] == nil)
            #expect(reply.headers[.xContentTypeOptions] == "nosniff")
        }
    }

    @Test func errorsCarryTheHeadersToo() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.get("/api/v1/workspace", key: nil)
            #expect(reply.status == .unauthorized)
            #expect(reply.headers[.xContentTypeOptions] == "nosniff")
        }
    }
}
