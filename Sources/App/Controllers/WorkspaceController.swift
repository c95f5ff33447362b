import Hummingbird
import Tokenizer

/// `GET`/`PATCH /api/v1/workspace`: the caller's own workspace and its plan; its owner keys under
/// `/api/v1/workspace/keys` and `rotate-key`.
struct WorkspaceController {
    let store: any Store

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get(use: get)
            .patch(use: update)
            .get("usage", use: usage)
            .post("rotate-key", use: rotateKey)
            .get("keys", use: listKeys)
            .post("keys", use: createKey)
            .delete("keys/{keyId}", use: deleteKey)
    }

    struct KeyBody: Decodable {
        let name: String
    }

    struct UpdateBody: Decodable {
        let name: String?
        // Read as a number and checked as a whole one: Foundation's decoder on Linux reports 1.5 for an
        // Int without naming the field, and a 422 must name it.
        let monthlyStorageTokenLimit: Double?
        let tokenEncoding: String?
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> WorkspaceResponse {
        let workspaceID = try context.requireOwner()
        return WorkspaceResponse(try await store.workspace(id: workspaceID))
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> WorkspaceResponse {
        let workspaceID = try context.requireOwner()
        let body = try await request.decodeJSON(as: UpdateBody.self, context: context)
        let name = try body.name.map { try Validate.name($0) }
        let limit = try body.monthlyStorageTokenLimit.map {
            try Validate.wholeNumber($0, 0...1_000_000_000_000, field: "monthlyStorageTokenLimit")
        }
        let encoding = try body.tokenEncoding.map { value throws(AppError) in
            guard let name = Encoding.Name(rawValue: value) else {
                throw .invalidField("tokenEncoding", "tokenEncoding must be one of cl100k_base, o200k_base.")
            }
            return name
        }
        return WorkspaceResponse(
            try await store.updateWorkspace(
                id: workspaceID,
                name: name,
                monthlyStorageTokenLimit: limit,
                tokenEncoding: encoding
            )
        )
    }

    /// `GET /api/v1/workspace/usage?month=YYYY-MM` (this month without one): the month's storage tokens by day,
    /// bot and data source, against the plan's limit.
    @Sendable func usage(_ request: Request, context: AppRequestContext) async throws -> UsageReport {
        let workspaceID = try context.requireOwner()
        let month: UsageMonth
        if let text = request.uri.queryParameters["month"] {
            guard let parsed = UsageMonth(String(text)) else {
                throw AppError.invalidParameter("month", "month must be a month as YYYY-MM, such as 2026-12.")
            }
            month = parsed
        } else {
            month = UsageMonth(of: .now())
        }
        let workspace = try await store.workspace(id: workspaceID).workspace
        let entries = try await store.storageUsage(workspaceID: workspaceID, from: month.start, until: month.end)
        return UsageReport(month: month, limit: workspace.monthlyStorageTokenLimit, entries: entries)
    }

    /// Replaces the calling key's secret: the new `sk_` is in this answer only; the old one stops working now.
    @Sendable func rotateKey(
        _ request: Request,
        context: AppRequestContext
    ) async throws -> EditedResponse<
        OwnerKeyResponse
    > {
        let (workspaceID, keyID) = try context.requireOwnerKey()
        let (key, credential) = try await store.rotateOwnerKey(id: keyID, workspaceID: workspaceID)
        return EditedResponse(
            status: .created,
            response: OwnerKeyResponse(key, current: true, plaintext: credential.plaintext)
        )
    }

    @Sendable func listKeys(_ request: Request, context: AppRequestContext) async throws -> Page<OwnerKeyResponse> {
        let (workspaceID, keyID) = try context.requireOwnerKey()
        let keys = try await store.ownerKeys(workspaceID: workspaceID)
        // At most APIKey.perWorkspace: one page holds them all.
        return Page(data: keys.map { OwnerKeyResponse($0, current: $0.id == keyID) }, nextCursor: nil)
    }

    @Sendable func createKey(
        _ request: Request,
        context: AppRequestContext
    ) async throws -> EditedResponse<
        OwnerKeyResponse
    > {
        let (workspaceID, _) = try context.requireOwnerKey()
        let body = try await request.decodeJSON(as: KeyBody.self, context: context)
        let (key, credential) = try await store.createOwnerKey(
            workspaceID: workspaceID,
            name: try Validate.name(body.name)
        )
        return EditedResponse(
            status: .created,
            response: OwnerKeyResponse(key, current: false, plaintext: credential.plaintext)
        )
    }

    @Sendable func deleteKey(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let (workspaceID, _) = try context.requireOwnerKey()
        try await store.deleteOwnerKey(id: try context.parameters.require("keyId"), workspaceID: workspaceID)
        return .noContent
    }
}
