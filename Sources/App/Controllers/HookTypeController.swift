import Hummingbird

/// `GET /api/v1/hook-types`: the event catalogue, for owners choosing what a hook listens to.
struct HookTypeController {
    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).get(use: list)
    }

    struct Listed: ResponseEncodable {
        let data: [HookTypeResponse]
    }

    struct HookTypeResponse: Encodable {
        let type: HookType
        let description: String
        let takesTarget: Bool
        let takesDataSource: Bool
        let requiresDataSource: Bool
        /// The component of `openapi.yaml` the payload is; null for `sync.trigger`.
        let schemaName: String?
        let payloadSchema: JSONValue?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(type, forKey: .type)
            try container.encode(description, forKey: .description)
            try container.encode(takesTarget, forKey: .takesTarget)
            try container.encode(takesDataSource, forKey: .takesDataSource)
            try container.encode(requiresDataSource, forKey: .requiresDataSource)
            try container.encode(schemaName, forKey: .schemaName)
            try container.encode(payloadSchema, forKey: .payloadSchema)
        }

        private enum CodingKeys: String, CodingKey {
            case type, description, takesTarget, takesDataSource, requiresDataSource, schemaName, payloadSchema
        }
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Listed {
        _ = try context.requireOwner()
        return Listed(
            data: HookCatalog.entries.map {
                HookTypeResponse(
                    type: $0.type,
                    description: $0.description,
                    takesTarget: $0.type.hasTarget,
                    takesDataSource: $0.type.takesDataSource,
                    requiresDataSource: $0.type.requiresDataSource,
                    schemaName: $0.schemaName,
                    payloadSchema: $0.schema
                )
            }
        )
    }
}
