import Hummingbird
import Metrics

/// Counts requests and times them by method, route template and status; logs each at debug.
///
/// The route template (`/api/v1/bots/{botId}`) is used rather than the path so that labels stay few
/// and secrets carried in paths never reach metrics or logs.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let factory: any MetricsFactory

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let route = context.endpointPath ?? "NotFound"
        let dimensions = [
            ("method", request.method.rawValue), ("route", route), ("status", String(response.status.code)),
        ]
        Counter(label: "http_requests_total", dimensions: dimensions, factory: factory).increment()
        Timer(label: "http_request_duration_seconds", dimensions: dimensions, factory: factory)
            .recordNanoseconds(elapsed.nanoseconds)
        context.logger.debug(
            "\(request.method) \(route) \(response.status.code)",
            metadata: ["duration_ms": "\(Double(elapsed.nanoseconds) / 1e6)"]
        )
        return response
    }
}
