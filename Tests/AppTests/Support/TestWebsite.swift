import Hummingbird
import NIOCore
import Synchronization

/// A real web server on 127.0.0.1 serving pages a test sets and changes, for `url` data sources.
final class TestWebsite: Sendable {
    struct Page: Sendable {
        var status: HTTPResponse.Status = .ok
        var contentType = "text/html; charset=utf-8"
        var headers: HTTPFields = [:]
        var delay: Duration = .zero
        var body: [UInt8]
        /// Sends the headers at once, then the body one byte each `trickle`.
        var trickle: Duration?

        init(_ html: String) { body = Array(html.utf8) }
        init(body: [UInt8]) { self.body = body }
    }

    private let pages = Mutex<[String: Page]>([:])
    private let hits = Mutex<[String: Int]>([:])

    /// Serves `page` at `/name` from now on.
    func set(_ name: String, _ page: Page) { pages.withLock { $0[name] = page } }

    /// How many times `/name` was fetched.
    func hitCount(_ name: String) -> Int { hits.withLock { $0[name, default: 0] } }

    /// Runs `body` while the site listens; passes its base URL.
    func run<Value: Sendable>(_ body: @Sendable (String) async throws -> Value) async throws -> Value {
        let router = Router()
        router.get("{name}") { _, context -> Response in
            let name = try context.parameters.require("name")
            self.hits.withLock { $0[name, default: 0] += 1 }
            guard let page = self.pages.withLock({ $0[name] }) else { return Response(status: .notFound) }
            if page.delay > .zero { try await Task.sleep(for: page.delay) }
            var headers = page.headers
            headers[.contentType] = page.contentType
            if let trickle = page.trickle {
                return Response(
                    status: page.status,
                    headers: headers,
                    body: .init { writer in
                        for byte in page.body {
                            try await writer.write(ByteBuffer(bytes: [byte]))
                            try await Task.sleep(for: trickle)
                        }
                        try await writer.finish(nil)
                    }
                )
            }
            return Response(
                status: page.status,
                headers: headers,
                body: .init(byteBuffer: ByteBuffer(bytes: page.body))
            )
        }
        return try await withLocalServer(router, body)
    }
}
