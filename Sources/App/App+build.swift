import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import Tokenizer

/// Builds the whole service from one configuration: the database, the router and its background services.
/// `serve` and the tests both come through here.
func buildApplication(_ configuration: AppConfiguration) async throws -> some ApplicationProtocol {
    // Storage tokens are what owners pay for: without the exact rank files the server does not start.
    let encodings = try TokenEncodings.load(from: configuration.tokenizerDirectory)
    var logger = Logger(label: "switchboard")
    logger.logLevel = configuration.logLevel
    let embedder = try Embedder.load(configuration, logger: logger)
    let (store, services) = try DatabaseLocation(configuration.databasePath).open(
        logger: logger,
        lease: .seconds(configuration.deliveryTimeout + 10)
    )
    return try await buildApplication(
        configuration,
        store: store,
        storeServices: services,
        encodings: encodings,
        embedder: embedder
    )
}

/// The same, on a store already open (tests keep a handle on it). `storeServices` keep the store working (a
/// PostgreSQL client and its listener); tests that run them themselves pass none.
func buildApplication(
    _ configuration: AppConfiguration,
    store: any Store,
    storeServices: [any Service] = [],
    encodings: TokenEncodings,
    embedder: Embedder?
) async throws -> some ApplicationProtocol {
    var logger = Logger(label: "switchboard")
    logger.logLevel = configuration.logLevel
    let dependencies = AppDependencies(
        configuration,
        store: store,
        encodings: encodings,
        embedder: embedder,
        logger: logger
    )
    let router = buildRouter(store: store, dependencies: dependencies, configuration: configuration)
    let timers = HandoffTimerWorker(
        conversations: dependencies.conversations,
        store: store,
        logger: logger
    )
    var app = Application(
        router: router,
        server: .http1(
            configuration: .init(
                httpDecoderConfiguration: .init(
                    maxHeaderFieldSize: AppRequestContext.headLimit,
                    maxHeaderListSize: AppRequestContext.headLimit
                )
            )
        ),
        configuration: .init(
            address: .hostname(configuration.hostname, port: configuration.port),
            serverName: "Switchboard"
        ),
        logger: logger
    )
    // Shutdown runs in reverse order: the workers stop before the clients they use, the store's last.
    app.addServices(storeServices)
    app.addServices(dependencies.httpClient, dependencies.deliveryWorker, dependencies.syncWorker)
    app.addServices(
        FeedRelay(store: store, feed: dependencies.feed, logger: logger),
        timers,
        SyncScheduler(store: store, clock: configuration.timerClock, logger: logger),
        AgentPresenceService(
            feed: dependencies.feed,
            store: store,
            conversations: dependencies.conversations,
            logger: logger
        )
    )
    app.addServices(
        RetentionWorker(
            store: store,
            retentionDays: configuration.retentionDays,
            clock: configuration.timerClock,
            metrics: PrometheusMetricsFactory(registry: dependencies.registry),
            logger: logger
        )
    )
    // With the store's services running (a PostgreSQL client answers only then), before the first request.
    app.beforeServerStarts {
        try await store.migrate()
        if configuration.createsDefaultWorkspace, let (workspace, key) = try await store.createDefaultWorkspaceIfEmpty()
        {
            // Printed, not logged: the key is shown this once and must never land in a log.
            FileHandle.standardOutput.write(
                Data(
                    """
                    Created workspace "\(workspace.name)" (\(workspace.id)).
                    Its owner API key, shown only this once — keep it safe:
                      \(key.plaintext)

                    """.utf8
                )
            )
        }
    }
    return app
}

/// What the routes and the background services share, each built once from the configuration: `buildApplication`
/// and the tests that inspect the router both come through here.
struct AppDependencies {
    let registry = PrometheusCollectorRegistry()
    /// Conversation changes, fanned out to this instance's open event streams.
    let feed = ConversationFeed()
    let httpClient: HTTPClientService
    let sender: HookSender
    let planner: SyncPlanner
    let retriever: Retriever
    let responder: BotResponder
    let deliveryWorker: DeliveryWorker
    let syncWorker: SyncWorker
    /// Every change to a conversation, done once (routes and the timer worker share it).
    let conversations: Conversations

    init(
        _ configuration: AppConfiguration,
        store: any Store,
        encodings: TokenEncodings,
        embedder: Embedder?,
        logger: Logger
    ) {
        let metrics = PrometheusMetricsFactory(registry: registry)
        let targetGuard = TargetGuard(
            allowPrivateTargets: configuration.allowPrivateTargets,
            resolver: configuration.hostResolver
        )
        // Hooks and pages go where owners point them, so through the guard; the LLM endpoint is the operator's.
        let httpClient = HTTPClientService(
            client: HTTPClientService.makeClient(targetGuard: targetGuard),
            operatorClient: HTTPClientService.makeOperatorClient()
        )
        self.httpClient = httpClient
        let timeout = Duration.seconds(configuration.deliveryTimeout)
        sender = HookSender(client: httpClient.client, targetGuard: targetGuard, timeout: timeout)
        planner = SyncPlanner(
            encodings: encodings,
            pages: PageFetcher(client: httpClient.client, targetGuard: targetGuard, timeout: timeout)
        )
        deliveryWorker = DeliveryWorker(
            store: store,
            sender: sender,
            policy: DeliveryPolicy(
                retrySchedule: RetrySchedule(delays: configuration.retrySchedule),
                disableAfter: configuration.disableAfter
            ),
            metrics: metrics,
            logger: logger
        )
        syncWorker = SyncWorker(
            store: store,
            planner: planner,
            embedder: embedder,
            feed: feed,
            metrics: metrics,
            logger: logger
        )
        retriever = Retriever(
            store: store,
            embedder: embedder,
            cache: VectorCache(byteBudget: configuration.vectorCacheMegabytes << 20)
        )
        responder = BotResponder(
            store: store,
            retriever: retriever,
            generator: configuration.llm.map {
                AnswerGenerator(
                    client: httpClient.operatorClient,
                    endpoint: $0.url,
                    model: $0.model,
                    apiKey: $0.apiKey,
                    timeout: .seconds($0.timeout)
                )
            },
            logger: logger
        )
        conversations = Conversations(
            store: store,
            metrics: ConversationMetrics(factory: metrics),
            feed: feed,
            responder: responder,
            clock: configuration.timerClock,
            timersChanged: WakeUpSignal(),
            logger: logger
        )
    }
}

/// The routes and middleware, from explicit dependencies.
func buildRouter(
    store: any Store,
    dependencies: AppDependencies,
    configuration: AppConfiguration
) -> Router<AppRequestContext> {
    let (metrics, sender, planner) = (dependencies.registry, dependencies.sender, dependencies.planner)
    let router = Router(context: AppRequestContext.self)
    // Outermost first: metrics see the final status, every response gets the security headers, errors become
    // JSON, then static files.
    router.add(middleware: RequestMetricsMiddleware(factory: PrometheusMetricsFactory(registry: metrics)))
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: FileMiddleware(configuration.publicDirectory, searchForIndexHtml: true))

    HealthController(store: store, registry: metrics).addRoutes(to: router)
    let feed = dependencies.feed
    let conversations = dependencies.conversations
    let events = EventStreamController(feed: feed, heartbeatInterval: configuration.eventHeartbeatInterval)

    // The chat widget's public routes: limited per client address, then per bot.
    let perClient = RateLimiter(capacity: configuration.visitorRateLimit)
    let perBot = RateLimiter(capacity: configuration.botRateLimit)
    let visitors = VisitorController(store: store, conversations: conversations)
    let publicRoutes = router.group("api/v1/public")
        .add(middleware: RateLimitMiddleware(limiter: perClient, scope: "client") { $0.clientKey })
    // Retried POSTs with an Idempotency-Key: a widget's start per bot, a visitor's per conversation, staff's per
    // caller.
    let idempotent = {
        @Sendable (bodyLimit: Int, scope: @escaping @Sendable (AppRequestContext) -> String?) in
        IdempotencyMiddleware(store: store, clock: configuration.timerClock, bodyLimit: bodyLimit, scope: scope)
    }
    publicRoutes.group("bots/{botId}/conversations")
        .add(middleware: RateLimitMiddleware(limiter: perBot, scope: "bot") { $0.parameters.get("botId") })
        .add(middleware: idempotent(AppRequestContext.jsonBodyLimit) { $0.parameters.get("botId").map { "bot:\($0)" } })
        .addRoutes(visitors.startEndpoint)
    publicRoutes.group("conversations/{conversationId}")
        .add(middleware: VisitorAuthenticationMiddleware(store: store))
        .add(middleware: RateLimitMiddleware(limiter: perBot, scope: "bot") { $0.visitorConversation?.botId })
        .add(
            middleware: idempotent(AppRequestContext.jsonBodyLimit) {
                $0.visitorConversation.map { "visitor:\($0.id)" }
            }
        )
        .addRoutes(visitors.conversationEndpoints)
        .addRoutes(events.conversationEndpoint)

    let api = router.group("api/v1").add(middleware: AuthenticationMiddleware(store: store))
        .add(middleware: idempotent(FileUploads.requestLimit) { $0.caller?.idempotencyScope })
    api.addRoutes(WorkspaceController(store: store).endpoints, atPath: "workspace")
    api.addRoutes(BotController(store: store, conversations: conversations).endpoints, atPath: "bots")
    api.addRoutes(AgentController(store: store, conversations: conversations).endpoints, atPath: "agents")
    api.addRoutes(
        HookController(store: store, sender: sender, publicURL: configuration.resolvedPublicURL).endpoints,
        atPath: "bots/{botId}/hooks"
    )
    api.addRoutes(HookTypeController().endpoints, atPath: "hook-types")
    api.addRoutes(
        DataSourceController(store: store, clock: configuration.timerClock).endpoints,
        atPath: "bots/{botId}/data-sources"
    )
    api.addRoutes(
        SearchController(store: store, retriever: dependencies.retriever).endpoints,
        atPath: "bots/{botId}/search"
    )
    let syncs = SyncController(store: store, planner: planner)
    api.addRoutes(syncs.dataSourceEndpoints, atPath: "bots/{botId}/data-sources/{dataSourceId}")
    api.addRoutes(syncs.jobEndpoints, atPath: "syncs")
    // The sync.trigger URL: public, secret in the path, limited per client address and per hook.
    router.group("api/public/hooks/{hookId}/{secret}")
        .add(
            middleware: RateLimitMiddleware(
                limiter: RateLimiter(capacity: configuration.triggerRateLimit),
                scope: "client"
            ) {
                $0.clientKey
            }
        )
        .add(
            middleware: RateLimitMiddleware(
                limiter: RateLimiter(capacity: configuration.triggerRateLimit),
                scope: "hook"
            ) {
                $0.parameters.get("hookId")
            }
        )
        .addRoutes(syncs.triggerEndpoint)
    let conversationRoutes = ConversationController(store: store, conversations: conversations)
    api.addRoutes(conversationRoutes.integrationEndpoint, atPath: "bots/{botId}/conversations")
    api.addRoutes(conversationRoutes.endpoints, atPath: "conversations")
    api.addRoutes(conversationRoutes.ratingsEndpoint, atPath: "bots/{botId}/ratings")
    api.addRoutes(events.workspaceEndpoint, atPath: "events")
    api.addRoutes(DeliveryController(store: store).endpoints, atPath: "bots/{botId}/hooks/{hookId}/deliveries")
    return router
}
