import Foundation
import Hummingbird
import Testing

@testable import App

@Suite struct AuthenticationTests {
    @Test func missingCredentialIs401WithAChallenge() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.get("/api/v1/bots", key: nil)
            #expect(reply.status == .unauthorized)
            #expect(reply.errorCode == "unauthenticated")
            #expect(reply.headers[.wwwAuthenticate] == "Bearer")
        }
    }

    @Test(arguments: [
        "Bearer sk_0000", "Bearer ak_0000", "Bearer vt_0000", "Bearer nonsense", "Basic c2s6eA==", "Bearer", "",
    ])
    func unknownOrMalformedCredentialIs401(header: String) async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.request(.get, "/api/v1/bots", headers: [.authorization: header])
            #expect(reply.status == .unauthorized)
            #expect(reply.errorCode == "unauthenticated")
        }
    }

    @Test func bearerSchemeIsCaseInsensitive() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.request(.get, "/api/v1/bots", headers: [.authorization: "bearer \(app.ownerKey)"])
            #expect(reply.status == .ok)
        }
    }

    @Test func agentTokenOnAnOwnerRouteIs403() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let token = try await api.createAgent(key: app.ownerKey)["token"]!.string!
            // (An agent may list the agents, their colleagues, to transfer to: AgentRoutesTests.)
            for path in ["/api/v1/bots", "/api/v1/workspace", "/api/v1/hook-types"] {
                let reply = try await api.get(path, key: token)
                #expect(reply.status == .forbidden, "\(path)")
                #expect(reply.errorCode == "forbidden")
            }
        }
    }

    @Test(.enabled(if: !TestStore.isPostgres, "reads the SQLite file itself"))
    func credentialsAreStoredOnlyAsHashes() async throws {
        let app = try await TestApp()
        let token = try await app.run { api in try await api.createAgent(key: app.ownerKey)["token"]!.string! }
        let file =
            try String(contentsOfFile: app.databasePath, encoding: .isoLatin1)
            + ((try? String(contentsOfFile: app.databasePath + "-wal", encoding: .isoLatin1)) ?? "")
        #expect(!file.contains(token))
        #expect(!file.contains(app.ownerKey))
        #expect(file.contains(Credential(presented: token)!.hash))
    }
}
