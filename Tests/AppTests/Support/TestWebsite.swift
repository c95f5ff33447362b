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
    private let notModified = Mutex<[String: Int]>([:])
    /// Held pages, each with the requests waiting for it.
    private let held = Mutex<[String: [CheckedContinuation<Void, Never>]]>([:])

    /// Serves `page` at `/name` from now on (`name` may hold slashes: `docs/a`).
    func set(_ name: String, _ page: Page) { pages.withLock { $0[name] = page } }

    /// Serves nothing at `/name` from now on (404).
    func remove(_ name: String) { _ = pages.withLock { $0.removeValue(forKey: name) } }

    /// How many times `/name` answered 304 to a conditional request (its page has an `ETag` or `Last-Modified`).
    func notModifiedCount(_ name: String) -> Int { notModified.withLock { $0[name, default: 0] } }

    /// Requests for `/name` wait from now on until `release(name)`: a page the test decides when to answer.
    func hold(_ name: String) { held.withLock { $0[name] = $0[name] ?? [] } }

    func release(_ name: String) {
        for request in held.withLock({ $0.removeValue(forKey: name) }) ?? [] { request.resume() }
    }

    private func waitWhileHeld(_ name: String) async {
        await withCheckedContinuation { request in
            let waits = held.withLock { held in
                guard held[name] != nil else { return false }
                held[name]!.append(request)
                return true
            }
            if !waits { request.resume() }
        }
    }

    /// How many times `/name` was fetched.
    func hitCount(_ name: String) -> Int { hits.withLock { $0[name, default: 0] } }

    /// Runs `body` while the site listens; passes its base URL.
    func run<Value: Sendable>(_ body: @Sendable (String) async throws -> Value) async throws -> Value {
        let router = Router()
        router.get("**") { request, _ -> Response in
            let name = String(request.uri.path.dropFirst())
            self.hits.withLock { $0[name, default: 0] += 1 }
            await self.waitWhileHeld(name)
            guard let page = self.pages.withLock({ $0[name] }) else { return Response(status: .notFound) }
            if Self.isNotModified(page, request) {
                self.notModified.withLock { $0[name, default: 0] += 1 }
                return Response(status: .notModified, headers: page.headers)
            }
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
        defer { for name in held.withLock({ Array($0.keys) }) { release(name) } }
        return try await withLocalServer(router, body)
    }

    /// Whether a conditional request's validators match the page's own (an ETag match, else the same date).
    private static func isNotModified(_ page: Page, _ request: Request) -> Bool {
        if let sent = request.headers[.ifNoneMatch], let etag = page.headers[.eTag] { return sent == etag }
        if let sent = request.headers[.ifModifiedSince], let date = page.headers[.lastModified] { return sent == date }
        return false
    }
}
