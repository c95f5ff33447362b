/// Every hook type with what it is for, what it takes, and the JSON Schema of the body it sends
/// (`GET /api/v1/hook-types`). The schemas are the `…Payload` components of `openapi.yaml` (a test holds the two
/// equal) and describe the bodies `HookEvent` makes (a test validates every body the suite delivers).
enum HookCatalog {
    struct Entry: Sendable {
        let type: HookType
        let description: String
        /// The component name in `openapi.yaml`; nil for `sync.trigger`, which sends nothing.
        let schemaName: String?
        let schema: JSONValue?
    }

    static let entries: [Entry] = HookType.allCases.map { type in
        switch type {
        case .syncTrigger:
            Entry(
                type: type,
                description: "Inbound: a secret URL whose GET starts a sync of the hook's data source. Sends nothing.",
                schemaName: nil,
                schema: nil
            )
        case .syncSuccess:
            Entry(
                type: type,
                description: "A sync of the bot's data source (or of the hook's one) succeeded, with its results.",
                schemaName: "SyncSuccessPayload",
                schema: syncPayload(
                    success: true,
                    [
                        "results": object(
                            [
                                "totalTokens": count, "modifiedRows": count, "totalDocuments": count,
                                "unmodifiedRows": count, "totalDataSourceRows": count,
                            ]
                        )
                    ]
                )
            )
        case .syncFailure:
            Entry(
                type: type,
                description: "A sync failed (a page could not be fetched, the plan's token limit, …), with the reason.",
                schemaName: "SyncFailurePayload",
                schema: syncPayload(success: false, ["reason": string])
            )
        case .conversationStarted:
            Entry(
                type: type,
                description: "A visitor or an integration started a conversation.",
                schemaName: "ConversationStartedPayload",
                schema: conversationPayload(
                    type,
                    conversation: object(
                        summary.merging(["createdAt": dateTime]) { $1 },
                        optional: ["initialMessage": string]
                    )
                )
            )
        case .conversationEscalated:
            Entry(
                type: type,
                description: "The visitor asked for a human: the conversation waits in the queue.",
                schemaName: "ConversationEscalatedPayload",
                schema: conversationPayload(
                    type,
                    conversation: object(
                        summary.merging(["state": constant("Escalated"), "userData": .object(["type": "object"])]) {
                            $1
                        }
                    ),
                    ["userEmail": string]
                )
            )
        case .conversationClaimed:
            Entry(
                type: type,
                description: "An agent took the conversation over.",
                schemaName: "ConversationClaimedPayload",
                schema: conversationPayload(
                    type,
                    conversation: object(summary.merging(["state": constant("Active")]) { $1 }),
                    ["agent": object(["name": string, "email": string])]
                )
            )
        case .conversationReleased:
            Entry(
                type: type,
                description:
                    "The conversation went back to the bot: released by its agent or an owner (reason \"agent\"), or "
                    + "by the bot's idle timer (reason \"idle\").",
                schemaName: "ConversationReleasedPayload",
                schema: conversationPayload(
                    type,
                    conversation: object(summary.merging(["state": constant("Resolved")]) { $1 }),
                    [
                        "agent": object(["name": string]),
                        "reason": ["type": "string", "enum": ["agent", "idle"]],
                    ]
                )
            )
        case .conversationMessage:
            Entry(
                type: type,
                description: "A user, bot or agent message was added to a transcript.",
                schemaName: "ConversationMessagePayload",
                schema: conversationPayload(
                    type,
                    conversation: object(summary.merging(["state": states]) { $1 }),
                    ["message": message]
                )
            )
        case .conversationEscalationExpired:
            Entry(
                type: type,
                description:
                    "Nobody claimed the escalated conversation within the bot's escalationTimeoutSeconds: it went back "
                    + "to the bot, which told the visitor.",
                schemaName: "ConversationEscalationExpiredPayload",
                schema: conversationPayload(
                    type,
                    conversation: object(summary.merging(["state": constant("Bot")]) { $1 }),
                    ["userEmail": string, "waitedSeconds": count]
                )
            )
        case .conversationTransferred:
            Entry(
                type: type,
                description: "The claiming agent (or an owner) handed the active conversation to another agent.",
                schemaName: "ConversationTransferredPayload",
                schema: conversationPayload(
                    type,
                    conversation: object(summary.merging(["state": constant("Active")]) { $1 }),
                    [
                        "from": object(["name": string, "email": string]),
                        "to": object(["name": string, "email": string]),
                    ]
                )
            )
        case .conversationSlaBreached:
            Entry(
                type: type,
                description:
                    "The bot's firstResponseSlaSeconds ran out before an agent replied: nobody had claimed it "
                    + "(breach \"claim\") or the claiming agent had not written yet (\"reply\"). Fires once per escalation.",
                schemaName: "ConversationSlaBreachedPayload",
                schema: conversationPayload(
                    type,
                    conversation: object(summary.merging(["state": states]) { $1 }),
                    [
                        "breach": ["type": "string", "enum": ["claim", "reply"]], "slaSeconds": count,
                        "overdueSeconds": ["type": "number", "minimum": 0],
                    ],
                    optional: ["agent": object(["name": string])]
                )
            )
        case .conversationRated:
            Entry(
                type: type,
                description: "The visitor rated the conversation (1–5, with an optional comment) after its release.",
                schemaName: "ConversationRatedPayload",
                schema: conversationPayload(
                    type,
                    conversation: object(summary.merging(["state": states]) { $1 }),
                    [
                        "rating": object(
                            ["score": ["type": "integer", "minimum": 1, "maximum": 5]],
                            optional: ["comment": string]
                        )
                    ]
                )
            )
        }
    }

    static func entry(for type: HookType) -> Entry {
        entries.first { $0.type == type }!
    }

    // MARK: Schema parts

    private static let string: JSONValue = ["type": "string"]
    private static let dateTime: JSONValue = ["type": "string", "format": "date-time"]
    private static let count: JSONValue = ["type": "integer", "minimum": 0]
    private static let states: JSONValue = [
        "type": "string", "enum": .array(ConversationState.allCases.map { .string($0.rawValue) }),
    ]

    private static func constant(_ value: String) -> JSONValue { ["type": "string", "const": .string(value)] }

    /// An object with these required properties (and these optional ones); more may be added later.
    private static func object(_ required: [String: JSONValue], optional: [String: JSONValue] = [:]) -> JSONValue {
        [
            "type": "object",
            "required": .array(required.keys.sorted().map { .string($0) }),
            "properties": .object(required.merging(optional) { $1 }),
        ]
    }

    private static let summary: [String: JSONValue] = [
        "id": string, "botId": string, "botName": string, "channelType": string,
    ]

    private static let message: JSONValue = object(
        [
            "id": string, "role": ["type": "string", "enum": ["user", "bot", "agent"]], "text": string,
            "createdAt": dateTime,
        ],
        optional: [
            "agent": object(["id": string, "name": string], optional: ["email": string]),
            "sources": [
                "type": "array",
                "items": object(
                    ["dataSourceId": string, "dataSourceName": string, "rowKey": string],
                    optional: ["title": string, "url": string]
                ),
            ],
        ]
    )

    private static func conversationPayload(
        _ type: HookType,
        conversation: JSONValue,
        _ fields: [String: JSONValue] = [:],
        optional: [String: JSONValue] = [:]
    ) -> JSONValue {
        object(
            fields.merging([
                "event": constant(type.rawValue),
                "timestamp": dateTime,
                "sequence": ["type": "integer", "minimum": 1],
                "conversation": conversation,
            ]) { $1 },
            optional: optional
        )
    }

    private static func syncPayload(success: Bool, _ fields: [String: JSONValue]) -> JSONValue {
        object(
            fields.merging([
                "success": ["type": "boolean", "const": .bool(success)],
                "bot": string, "dataSource": string, "botId": string, "dataSourceId": string, "syncId": string,
                "timestamp": dateTime,
            ]) { $1 }
        )
    }
}
