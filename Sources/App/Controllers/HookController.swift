import Foundation
import Hummingbird

/// `/api/v1/bots/{botId}/hooks`: a bot's hooks, their secrets and their rotation.
struct HookController {
    let store: any Store
    /// Sends test events; its guard also checks targets at creation.
    let sender: HookSender
    /// The base of trigger URLs (`--public-url`).
    let publicURL: String

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .post(use: create)
            .get(use: list)
            .get("{hookId}", use: get)
            .patch("{hookId}", use: update)
            .delete("{hookId}", use: delete)
            .post("{hookId}/rotate-secret", use: rotateSecret)
            .post("{hookId}/test", use: test)
            .post("{hookId}/recover", use: recover)
    }

    struct CreateBody: Decodable {
        let type: String
        let targetUrl: String?
        let dataSourceId: String?
        let secret: String?
        let enabled: Bool?
        let ordering: String?
        let maxPerSecond: Double?
        let headers: [String: String]?
    }

    struct UpdateBody: Decodable {
        let targetUrl: String?
        let dataSourceId: String??
        let enabled: Bool?
        let ordering: String?
        let maxPerSecond: Double??
        let headers: [String: String]??

        private enum CodingKeys: String, CodingKey {
            case targetUrl, dataSourceId, enabled, ordering, maxPerSecond, headers
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            targetUrl = try container.decodeIfPresent(String.self, forKey: .targetUrl)
            // Present and null clears a setting; absent leaves it.
            dataSourceId = try container.decodeClearable(String.self, forKey: .dataSourceId)
            enabled = try container.decodeIfPresent(Bool.self, forKey: .enabled)
            ordering = try container.decodeIfPresent(String.self, forKey: .ordering)
            maxPerSecond = try container.decodeClearable(Double.self, forKey: .maxPerSecond)
            headers = try container.decodeClearable([String: String].self, forKey: .headers)
        }
    }

    struct RotateBody: Decodable {
        let secret: String?
        let overlapSeconds: Double?
    }

    struct RecoverBody: Decodable {
        let since: Timestamp
        let until: Timestamp?
    }

    struct RecoverResult: ResponseEncodable {
        let requeued: Int
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<HookResponse> {
        let workspaceID = try context.requireOwner()
        let botID = try context.parameters.require("botId")
        // Not found before invalid: another workspace's bot is 404 whatever the body says.
        _ = try await store.bot(id: botID, workspaceID: workspaceID)
        let body = try await request.decodeJSON(as: CreateBody.self, context: context)
        guard let type = HookType(rawValue: body.type) else {
            throw AppError.invalidField(
                "type",
                "type must be one of \(HookType.allCases.map(\.rawValue).joined(separator: ", "))."
            )
        }
        var targetUrl: String?
        if type.hasTarget {
            guard let given = body.targetUrl else { throw AppError.invalidField("targetUrl", "targetUrl is required.") }
            targetUrl = try await validTarget(given)
        } else if body.targetUrl != nil {
            throw AppError.targetNotTaken
        }
        let dataSourceId = try body.dataSourceId.map(Self.validDataSourceID)
        if type.requiresDataSource, dataSourceId == nil { throw AppError.dataSourceRequired }
        if dataSourceId != nil, !type.takesDataSource { throw AppError.dataSourceNotTaken }
        try await requireDataSource(dataSourceId, botID: botID, workspaceID: workspaceID)
        if !type.hasTarget, body.ordering != nil || body.maxPerSecond != nil || body.headers != nil {
            throw AppError.deliverySettingsNotTaken
        }
        let hook = try await store.createHook(
            NewHook(
                type: type,
                targetUrl: targetUrl,
                dataSourceId: dataSourceId,
                secret: try body.secret.map(HookSecret.validated) ?? HookSecret.generated(),
                enabled: body.enabled ?? true,
                ordering: try body.ordering.map(Self.validOrdering) ?? .none,
                maxPerSecond: try body.maxPerSecond.map(Self.validMaxPerSecond),
                headers: try body.headers.flatMap(HookOptions.headers)
            ),
            botID: botID,
            workspaceID: workspaceID
        )
        return EditedResponse(status: .created, response: HookResponse(hook, publicURL: publicURL))
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<HookResponse> {
        let workspaceID = try context.requireOwner()
        let botID = try context.parameters.require("botId")
        return try await store.hooks(botID: botID, workspaceID: workspaceID, page: request.pageRequest())
            .map { HookResponse($0, publicURL: publicURL) }
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> HookResponse {
        let workspaceID = try context.requireOwner()
        let hook = try await store.hook(
            id: try context.parameters.require("hookId"),
            botID: try context.parameters.require("botId"),
            workspaceID: workspaceID
        )
        return HookResponse(hook, publicURL: publicURL)
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> HookResponse {
        let workspaceID = try context.requireOwner()
        let (id, botID) = (try context.parameters.require("hookId"), try context.parameters.require("botId"))
        let current = try await store.hook(id: id, botID: botID, workspaceID: workspaceID)
        let body = try await request.decodeJSON(as: UpdateBody.self, context: context)
        var changes = HookChanges(enabled: body.enabled)
        if let targetUrl = body.targetUrl {
            guard current.type.hasTarget else { throw AppError.targetNotTaken }
            changes.targetUrl = try await validTarget(targetUrl)
        }
        if let dataSourceId = body.dataSourceId {
            guard current.type.takesDataSource else { throw AppError.dataSourceNotTaken }
            if current.type.requiresDataSource, dataSourceId == nil { throw AppError.dataSourceRequired }
            let validated = try dataSourceId.map(Self.validDataSourceID)
            try await requireDataSource(validated, botID: botID, workspaceID: workspaceID)
            changes.dataSourceId = .some(validated)
        }
        if !current.type.hasTarget, body.ordering != nil || body.maxPerSecond != nil || body.headers != nil {
            throw AppError.deliverySettingsNotTaken
        }
        changes.ordering = try body.ordering.map(Self.validOrdering)
        if let maxPerSecond = body.maxPerSecond {
            changes.maxPerSecond = .some(try maxPerSecond.map(Self.validMaxPerSecond))
        }
        if let headers = body.headers { changes.headers = .some(try headers.flatMap(HookOptions.headers)) }
        let hook = try await store.updateHook(id: id, botID: botID, workspaceID: workspaceID, changes)
        return HookResponse(hook, publicURL: publicURL)
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let workspaceID = try context.requireOwner()
        try await store.deleteHook(
            id: try context.parameters.require("hookId"),
            botID: try context.parameters.require("botId"),
            workspaceID: workspaceID
        )
        return .noContent
    }

    /// Replaces the secret. Without an overlap the old one, and a trigger URL made with it, stop working at once;
    /// with `overlapSeconds` they keep working that long (deliveries carry both signatures).
    /// The body is optional; `{"secret": "…"}` chooses the new secret.
    @Sendable func rotateSecret(_ request: Request, context: AppRequestContext) async throws -> HookResponse {
        let workspaceID = try context.requireOwner()
        let (id, botID) = (try context.parameters.require("hookId"), try context.parameters.require("botId"))
        var secret = HookSecret.generated()
        var overlapSeconds = 0
        if request.headers[.contentType] != nil || (request.headers[.contentLength].flatMap(Int.init) ?? 0) > 0 {
            let body = try await request.decodeJSON(as: RotateBody.self, context: context)
            if let chosen = body.secret { secret = try HookSecret.validated(chosen) }
            if let overlap = body.overlapSeconds {
                overlapSeconds = try Validate.wholeNumber(overlap, HookOptions.overlapSeconds, field: "overlapSeconds")
            }
        }
        let now = Timestamp.now()
        let overlapUntil =
            overlapSeconds > 0
            ? Timestamp(millisecondsSince1970: now.millisecondsSince1970 + Int64(overlapSeconds) * 1000) : nil
        let hook = try await store.updateHook(
            id: id,
            botID: botID,
            workspaceID: workspaceID,
            HookChanges(rotation: (secret, overlapUntil))
        )
        return HookResponse(hook, publicURL: publicURL)
    }

    /// Queues again every failed delivery of the hook created in `since..<until` (until: now), with its id.
    @Sendable func recover(_ request: Request, context: AppRequestContext) async throws -> RecoverResult {
        let workspaceID = try context.requireOwner()
        let (id, botID) = (try context.parameters.require("hookId"), try context.parameters.require("botId"))
        _ = try await store.hook(id: id, botID: botID, workspaceID: workspaceID)
        let body = try await request.decodeJSON(as: RecoverBody.self, context: context)
        let until = body.until ?? .now()
        guard body.since < until else {
            throw AppError.invalidField("until", "until must be later than since.")
        }
        let requeued = try await store.recoverDeliveries(
            hookID: id,
            botID: botID,
            workspaceID: workspaceID,
            since: body.since,
            until: until
        )
        return RecoverResult(requeued: requeued)
    }

    struct TestResult: ResponseEncodable {
        let delivered: Bool
        let responseCode: Int?
        let latencyMs: Double
        let error: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(delivered, forKey: .delivered)
            try container.encode(responseCode, forKey: .responseCode)
            try container.encode((latencyMs * 10).rounded() / 10, forKey: .latencyMs)
            try container.encode(error, forKey: .error)
        }

        private enum CodingKeys: String, CodingKey { case delivered, responseCode, latencyMs, error }
    }

    /// Sends one signed `test` event now and reports how it went. It is not queued, not retried, and does not
    /// count toward disabling the hook.
    @Sendable func test(_ request: Request, context: AppRequestContext) async throws -> TestResult {
        let workspaceID = try context.requireOwner()
        let hook = try await store.hook(
            id: try context.parameters.require("hookId"),
            botID: try context.parameters.require("botId"),
            workspaceID: workspaceID
        )
        guard hook.type.hasTarget else {
            throw AppError(.conflict, code: .hookHasNoTarget, message: "A sync.trigger hook has no target to test.")
        }
        let bot = try await store.bot(id: hook.botId, workspaceID: workspaceID)
        let payload = try HookEvent.test(hook: hook, botName: bot.name, at: .now())
        let result = await sender.send(deliveryID: newID(), event: "test", payload: payload, hook: hook, attempt: 1)
        return TestResult(
            delivered: result.succeeded,
            responseCode: result.responseCode,
            latencyMs: result.latencyMs,
            error: result.succeeded ? nil : result.failureDescription
        )
    }

    private func validTarget(_ text: String) async throws(AppError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.utf8.count <= 2048, TargetGuard.isPlainURLText(trimmed), let url = URL(string: trimmed) else {
            throw .invalidField(
                "targetUrl",
                "targetUrl must be an http:// or https:// URL of at most 2048 bytes, without spaces or control characters."
            )
        }
        if let refusal = await sender.targetGuard.refusal(for: url) {
            throw .invalidField("targetUrl", "targetUrl \(refusal)")
        }
        return trimmed
    }

    /// A hook's data source must be one of its own bot's.
    private func requireDataSource(_ id: String?, botID: String, workspaceID: String) async throws {
        guard let id else { return }
        do {
            _ = try await store.dataSource(id: id, botID: botID, workspaceID: workspaceID)
        } catch let error as AppError where error.status == .notFound {
            throw AppError.invalidField("dataSourceId", "dataSourceId is not a data source of this bot.")
        }
    }

    private static func validOrdering(_ text: String) throws(AppError) -> DeliveryOrdering {
        guard let ordering = DeliveryOrdering(rawValue: text) else {
            throw .invalidField("ordering", "ordering must be \"none\" or \"conversation\".")
        }
        return ordering
    }

    private static func validMaxPerSecond(_ value: Double) throws(AppError) -> Int {
        try Validate.wholeNumber(value, HookOptions.maxPerSecond, field: "maxPerSecond")
    }

    private static func validDataSourceID(_ text: String) throws(AppError) -> String {
        guard UUID(uuidString: text) != nil else {
            throw .invalidField("dataSourceId", "dataSourceId must be a data source id (a UUID).")
        }
        return text.lowercased()
    }
}
