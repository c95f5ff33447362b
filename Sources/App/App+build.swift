import Foundation
import Hummingbird
import Logging
import Prometheus

/// Builds the whole service from one configuration: the database, the router and its background services.
/// `serve` and the tests both come through here.
func buildApplication(_ configuration: AppConfiguration) async throws -> some ApplicationProtocol {
    var logger = Logger(label: "switchboard")
    logger.logLevel = configuration.logLevel
    let database = try AppDatabase(path: configuration.databasePath)
    if configuration.createsDefaultWorkspace, let (workspace, key) = try await database.createDefaultWorkspaceIfEmpty()
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
    let router = buildRouter(database: database, metrics: PrometheusCollectorRegistry(), configuration: configuration)
    return Application(
        router: router,
        configuration: .init(
            address: .hostname(configuration.hostname, port: configuration.port),
            serverName: "Switchboard"
        ),
        logger: logger
    )
}

/// The routes and middleware, from explicit dependencies.
func buildRouter(
    database: AppDatabase,
    metrics: PrometheusCollectorRegistry,
    configuration: AppConfiguration
) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    // Outermost first: metrics see the final status, errors become JSON, then static files.
    router.add(middleware: RequestMetricsMiddleware(factory: PrometheusMetricsFactory(registry: metrics)))
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: FileMiddleware(configuration.publicDirectory, searchForIndexHtml: true))

    HealthController(database: database, registry: metrics).addRoutes(to: router)

    let api = router.group("api/v1").add(middleware: AuthenticationMiddleware(database: database))
    api.addRoutes(WorkspaceController(database: database).endpoints, atPath: "workspace")
    api.addRoutes(BotController(database: database).endpoints, atPath: "bots")
    api.addRoutes(AgentController(database: database).endpoints, atPath: "agents")
    api.addRoutes(
        HookController(
            database: database,
            targetGuard: TargetGuard(allowPrivateTargets: configuration.allowPrivateTargets),
            publicURL: configuration.resolvedPublicURL
        ).endpoints,
        atPath: "bots/{botId}/hooks"
    )
    return router
}
