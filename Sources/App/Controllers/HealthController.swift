import Hummingbird
import Prometheus

/// Liveness, readiness and the Prometheus scrape endpoint.
struct HealthController {
    let store: any Store
    let registry: PrometheusCollectorRegistry

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("healthz", use: healthz)
        router.get("readyz", use: readyz)
        router.get("metrics", use: metrics)
    }

    struct Status: ResponseEncodable {
        let status: String
    }

    @Sendable func healthz(_ request: Request, context: AppRequestContext) -> Status {
        Status(status: "ok")
    }

    /// Ready when the database answers a query within two seconds (a load balancer must not wait on a store that
    /// is gone).
    @Sendable func readyz(_ request: Request, context: AppRequestContext) async throws -> Status {
        do {
            let store = store
            try await withDeadline(.now + .seconds(2)) { try await store.ping() }
        } catch {
            context.logger.warning("Readiness check failed", metadata: ["error": "\(error)"])
            throw AppError(.serviceUnavailable, code: .notReady, message: "The database is not answering.")
        }
        return Status(status: "ok")
    }

    @Sendable func metrics(_ request: Request, context: AppRequestContext) async throws -> Response {
        // Gauges of what the database holds, read at scrape time.
        for (state, count) in try await store.conversationCountsByState() {
            let conversations = MetricNameDescriptor(metricName: "conversations", unitName: "", helpText: "By state.")
            registry.makeGauge(descriptor: conversations, labels: [("state", state.rawValue)]).set(Double(count))
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: buffer))
        )
    }
}
