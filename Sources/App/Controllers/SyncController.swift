import Foundation
import Hummingbird

/// Syncs of a data source (`…/data-sources/{dataSourceId}/syncs`, `/api/v1/syncs/{syncId}`), its documents,
/// and the public trigger URL of `sync.trigger` hooks.
struct SyncController {
    let store: any Store
    let planner: SyncPlanner

    var dataSourceEndpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .post("syncs", use: start)
            .get("syncs", use: history)
            .get("documents", use: documents)
    }

    var jobEndpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).get("{syncId}", use: job)
    }

    var triggerEndpoint: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).get(use: trigger)
    }

    struct DryRun: ResponseEncodable {
        let dryRun = true
        let modifiedRows: Int
        let unmodifiedRows: Int
        let deletedRows: Int
        let totalDataSourceRows: Int
        let totalTokens: Int
        let storageTokensUsedThisMonth: Int
        let monthlyStorageTokenLimit: Int
        let allowed: Bool
        let reason: String?

        /// What a sync would change and cost under `usage`; or, when it cannot be planned, why not.
        init(_ outcome: Result<SyncPlan, SyncPlanner.Failure>, rows: Int, usage: WorkspaceUsage) {
            storageTokensUsedThisMonth = usage.storageTokensUsedThisMonth
            monthlyStorageTokenLimit = usage.workspace.monthlyStorageTokenLimit
            switch outcome {
            case .success(let plan):
                (modifiedRows, unmodifiedRows, deletedRows) = (
                    plan.modifiedRows, plan.unmodifiedRows, plan.deletedKeys.count
                )
                (totalDataSourceRows, totalTokens) = (plan.totalDataSourceRows, plan.totalTokens)
                allowed = usage.allows(tokens: totalTokens)
                reason = allowed ? nil : WorkspaceUsage.overLimitReason
            case .failure(let failure):
                (modifiedRows, unmodifiedRows, deletedRows, totalDataSourceRows, totalTokens) = (0, 0, 0, rows, 0)
                allowed = false
                reason = failure.reason
            }
        }
    }

    /// 202 with a new queued job, 200 with the queued one it joins; `?dryRun=true` prices it instead.
    @Sendable func start(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workspaceID = try context.requireOwner()
        let (botID, id) = (try context.parameters.require("botId"), try context.parameters.require("dataSourceId"))
        if request.uri.queryParameters["dryRun"] == "true" {
            let preview = try await store.syncPreview(dataSourceID: id, botID: botID, workspaceID: workspaceID)
            let outcome: Result<SyncPlan, SyncPlanner.Failure>
            do {
                outcome = .success(
                    try await planner.plan(
                        preview.source,
                        rows: preview.rows,
                        previous: preview.previousHashes,
                        encoding: preview.usage.workspace.tokenEncoding
                    )
                )
            } catch {
                outcome = .failure(error)
            }
            return try DryRun(outcome, rows: preview.rows.count, usage: preview.usage)
                .response(from: request, context: context)
        }
        _ = try await store.dataSource(id: id, botID: botID, workspaceID: workspaceID)
        let (job, created) = try await store.queueSync(dataSourceID: id, trigger: .api)
        return try EditedResponse(status: created ? .accepted : .ok, response: SyncJobResponse(job))
            .response(from: request, context: context)
    }

    @Sendable func history(_ request: Request, context: AppRequestContext) async throws -> Page<SyncJobResponse> {
        let workspaceID = try context.requireOwner()
        return try await store.syncJobs(
            dataSourceID: try context.parameters.require("dataSourceId"),
            botID: try context.parameters.require("botId"),
            workspaceID: workspaceID,
            page: request.pageRequest()
        ).map(SyncJobResponse.init)
    }

    @Sendable func job(_ request: Request, context: AppRequestContext) async throws -> SyncJobResponse {
        let workspaceID = try context.requireOwner()
        return SyncJobResponse(
            try await store.syncJob(id: try context.parameters.require("syncId"), workspaceID: workspaceID)
        )
    }

    @Sendable func documents(_ request: Request, context: AppRequestContext) async throws -> Page<DocumentResponse> {
        let workspaceID = try context.requireOwner()
        let (limit, cursor) = try request.pageBounds()
        var after: (rowKey: String, position: Int)?
        if let cursor {
            guard let separator = cursor.lastIndex(of: "\u{0}"),
                let position = Int(cursor[cursor.index(after: separator)...])
            else { throw Cursor.invalid }
            after = (String(cursor[..<separator]), position)
        }
        let (documents, next) = try await store.documents(
            dataSourceID: try context.parameters.require("dataSourceId"),
            botID: try context.parameters.require("botId"),
            workspaceID: workspaceID,
            after: after,
            limit: limit
        )
        return Page(
            data: documents.map(DocumentResponse.init),
            nextCursor: next.map { Cursor.encode("\($0.rowKey)\u{0}\($0.position)") }
        )
    }

    struct TriggerResult: ResponseEncodable {
        let success: Bool
    }

    /// `GET /api/public/hooks/{hookId}/{secret}`: queues a sync of the hook's data source. The secret (or during a
    /// rotation's overlap the one it replaced) is compared in constant time; an unknown hook, a wrong secret or a
    /// disabled hook are all the same 404.
    @Sendable func trigger(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<TriggerResult>
    {
        let notFound = EditedResponse(status: .notFound, response: TriggerResult(success: false))
        guard let hook = try await store.triggerHook(id: try context.parameters.require("hookId")),
            hook.acceptsTriggerSecret(try context.parameters.require("secret"), at: .now()),
            hook.enabled, let dataSourceID = hook.dataSourceId
        else { return notFound }
        do {
            _ = try await store.queueSync(dataSourceID: dataSourceID, trigger: .hook)
        } catch let error as AppError where error.status == .notFound {
            return notFound
        }
        return EditedResponse(status: .ok, response: TriggerResult(success: true))
    }
}
