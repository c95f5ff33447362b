import Hummingbird

/// `/api/v1/bots/{botId}/hooks/{hookId}/deliveries`: the delivery log, each attempt, and redelivery.
struct DeliveryController {
    let store: any Store

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get(use: list)
            .get("{deliveryId}", use: get)
            .post("{deliveryId}/retry", use: retry)
    }

    /// The log, oldest first, filtered by `status`, `event` and the creation window `since`..<`until`.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<DeliveryResponse> {
        let workspaceID = try context.requireOwner()
        let event: HookType? = try request.queryChoice("event")
        let filter = DeliveryFilter(
            status: try request.queryChoice("status"),
            event: event?.rawValue,
            since: try request.queryTime("since"),
            until: try request.queryTime("until")
        )
        return try await store.deliveries(
            hookID: try context.parameters.require("hookId"),
            botID: try context.parameters.require("botId"),
            workspaceID: workspaceID,
            filter: filter,
            page: request.pageRequest()
        ).map { DeliveryResponse($0) }
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> DeliveryResponse {
        let workspaceID = try context.requireOwner()
        let (delivery, attempts) = try await store.delivery(
            id: try context.parameters.require("deliveryId"),
            hookID: try context.parameters.require("hookId"),
            botID: try context.parameters.require("botId"),
            workspaceID: workspaceID
        )
        return DeliveryResponse(delivery, attempts: attempts)
    }

    /// Queues a failed or paused delivery again, now, with the same id.
    @Sendable func retry(_ request: Request, context: AppRequestContext) async throws -> DeliveryResponse {
        let workspaceID = try context.requireOwner()
        let (delivery, attempts) = try await store.retryDelivery(
            id: try context.parameters.require("deliveryId"),
            hookID: try context.parameters.require("hookId"),
            botID: try context.parameters.require("botId"),
            workspaceID: workspaceID
        )
        return DeliveryResponse(delivery, attempts: attempts)
    }
}
