import Hummingbird

/// `/api/v1/bots`: an owner's bots.
struct BotController {
    let store: any Store
    let conversations: Conversations

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .post(use: create)
            .get(use: list)
            .get("{botId}", use: get)
            .patch("{botId}", use: update)
            .delete("{botId}", use: delete)
    }

    /// The handoff timers as a create or an update sends them: absent leaves a setting, `null` turns it off.
    struct HandoffBody: Decodable {
        let assignment: String?
        let escalationTimeoutSeconds: Double??
        let escalationExpiredMessage: String??
        let idleReleaseSeconds: Double??
        let firstResponseSlaSeconds: Double??

        private enum CodingKeys: String, CodingKey {
            case assignment, escalationTimeoutSeconds, escalationExpiredMessage, idleReleaseSeconds
            case firstResponseSlaSeconds
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            assignment = try container.decodeIfPresent(String.self, forKey: .assignment)
            escalationTimeoutSeconds = try container.decodeClearable(Double.self, forKey: .escalationTimeoutSeconds)
            escalationExpiredMessage = try container.decodeClearable(String.self, forKey: .escalationExpiredMessage)
            idleReleaseSeconds = try container.decodeClearable(Double.self, forKey: .idleReleaseSeconds)
            firstResponseSlaSeconds = try container.decodeClearable(Double.self, forKey: .firstResponseSlaSeconds)
        }

        var isEmpty: Bool {
            assignment == nil && escalationTimeoutSeconds == nil && escalationExpiredMessage == nil
                && idleReleaseSeconds == nil
                && firstResponseSlaSeconds == nil
        }

        /// `current` with the fields sent applied, each validated (422 naming it).
        func applied(to current: HandoffSettings) throws(AppError) -> HandoffSettings {
            var settings = current
            if let assignment {
                guard let mode = AssignmentMode(rawValue: assignment) else {
                    throw .invalidField("assignment", "assignment must be \"claim\" or \"auto\".")
                }
                settings.assignment = mode
            }
            settings.escalationTimeoutSeconds = try Self.timer(
                escalationTimeoutSeconds,
                "escalationTimeoutSeconds",
                current: current.escalationTimeoutSeconds
            )
            settings.idleReleaseSeconds = try Self.timer(
                idleReleaseSeconds,
                "idleReleaseSeconds",
                current: current.idleReleaseSeconds
            )
            settings.firstResponseSlaSeconds = try Self.timer(
                firstResponseSlaSeconds,
                "firstResponseSlaSeconds",
                current: current.firstResponseSlaSeconds
            )
            if let value = escalationExpiredMessage {
                settings.escalationExpiredMessage = try value.map { text throws(AppError) in
                    try Validate.name(
                        text,
                        field: "escalationExpiredMessage",
                        maxLength: HandoffSettings.expiredMessageLength.upperBound
                    )
                }
            }
            return settings
        }

        /// A timer as sent: absent keeps `current`, null turns it off, a number must be whole seconds in range.
        private static func timer(_ sent: Double??, _ field: String, current: Int?) throws(AppError) -> Int? {
            guard let sent else { return current }
            guard let seconds = sent else { return nil }
            return try Validate.wholeNumber(seconds, HandoffSettings.seconds, field: field)
        }
    }

    struct CreateBody: Decodable {
        let name: String
        let humanTakeoverEnabled: Bool?
        let handoff: HandoffBody

        private enum CodingKeys: String, CodingKey { case name, humanTakeoverEnabled }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            humanTakeoverEnabled = try container.decodeIfPresent(Bool.self, forKey: .humanTakeoverEnabled)
            handoff = try HandoffBody(from: decoder)
        }
    }

    struct UpdateBody: Decodable {
        let name: String?
        let humanTakeoverEnabled: Bool?
        let handoff: HandoffBody

        private enum CodingKeys: String, CodingKey { case name, humanTakeoverEnabled }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            humanTakeoverEnabled = try container.decodeIfPresent(Bool.self, forKey: .humanTakeoverEnabled)
            handoff = try HandoffBody(from: decoder)
        }
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<BotResponse> {
        let workspaceID = try context.requireOwner()
        let body = try await request.decodeJSON(as: CreateBody.self, context: context)
        let bot = try await store.createBot(
            workspaceID: workspaceID,
            name: try Validate.name(body.name),
            humanTakeoverEnabled: body.humanTakeoverEnabled ?? false,
            handoff: try body.handoff.applied(to: HandoffSettings())
        )
        return EditedResponse(status: .created, response: BotResponse(bot))
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<BotResponse> {
        let workspaceID = try context.requireOwner()
        return try await store.bots(workspaceID: workspaceID, page: request.pageRequest()).map(BotResponse.init)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> BotResponse {
        let workspaceID = try context.requireOwner()
        return BotResponse(
            try await store.bot(id: try context.parameters.require("botId"), workspaceID: workspaceID)
        )
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> BotResponse {
        let workspaceID = try context.requireOwner()
        let id = try context.parameters.require("botId")
        let body = try await request.decodeJSON(as: UpdateBody.self, context: context)
        let handoff = body.handoff
        var changes = BotChanges(name: try body.name.map { try Validate.name($0) })
        changes.humanTakeoverEnabled = body.humanTakeoverEnabled
        if !handoff.isEmpty {
            // Validated before the write; merged with the stored settings read here (a concurrent PATCH of other
            // timer fields may be overwritten: last writer wins, as for every field).
            let current = try await store.bot(id: id, workspaceID: workspaceID)
            changes.handoff = try handoff.applied(to: current.handoff)
        }
        let bot = try await store.updateBot(id: id, workspaceID: workspaceID, changes)
        // Turned to automatic assignment: its queue goes to agents with room now.
        if changes.handoff?.assignment == .auto { await conversations.assignWaiting(workspaceID: workspaceID) }
        return BotResponse(bot)
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let workspaceID = try context.requireOwner()
        try await store.deleteBot(id: try context.parameters.require("botId"), workspaceID: workspaceID)
        return .noContent
    }
}
