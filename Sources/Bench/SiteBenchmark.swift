import ArgumentParser
import AsyncHTTPClient
import Foundation
import Hummingbird
import Synchronization

/// `switchboard-bench site`: a `url` data source on a local site's sitemap of 1,000 pages — its first sync, then a
/// re-sync with nothing changed, in pages per minute — beside the ceiling of that site fetched directly at the
/// sync's concurrency for one host (2 at once). Each page has an ETag; the re-sync must download none of them.
struct SiteBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "site",
        abstract: "Pages per minute for a sitemap source's first sync and its unchanged re-sync."
    )

    @OptionGroup var server: ServerOptions

    @Option(help: "Pages the sitemap lists.")
    var pages = 1_000

    @Option(help: "Milliseconds each page takes to answer (a real site's latency).")
    var latency = 0

    func run() async throws {
        let site = LocalSite(texts: Self.pageTexts(pages), latency: .milliseconds(latency))
        try await site.run { base in
            try await Session.run(server, serverArguments: ["--allow-private-targets"], connections: 4) { _, api in
                try await measure(api, site: site, base: base)
            }
        }
    }

    private func measure(_ api: BenchClient, site: LocalSite, base: String) async throws {
        let ceiling = try await site.directFetchSeconds(base: base, concurrency: 2)
        _ = try await api.send(.PATCH, "/api/v1/workspace", #"{"monthlyStorageTokenLimit": 1000000000000}"#)
        let bot = try await api.send(.POST, "/api/v1/bots", #"{"name": "Bench"}"#)["id"] as! String
        let source =
            try await api.send(
                .POST,
                "/api/v1/bots/\(bot)/data-sources",
                #"{"name": "Site", "type": "url", "sitemapUrl": "\#(base)/sitemap.xml", "maxPages": \#(pages)}"#
            )["id"] as! String
        site.resetCounts()
        let first = try await api.sync(bot: bot, source: source)
        let firstCounts = site.resetCounts()
        let again = try await api.sync(bot: bot, source: source)
        let againCounts = site.resetCounts()
        let perMinute = { (seconds: Double) in Double(pages) / seconds * 60 }
        print(
            String(
                format: "site: %d pages, %.0f ms each; fetched directly 2 at a time: %.0f pages/min (ceiling)",
                pages,
                Double(latency),
                perMinute(ceiling)
            )
        )
        print(
            String(
                format: "first sync: %.2f s — %.0f pages/min (%.0f%% of the ceiling), %d downloaded, %d tokens",
                first.seconds,
                perMinute(first.seconds),
                100 * ceiling / first.seconds,
                firstCounts.downloads,
                first.tokens
            )
        )
        print(
            String(
                format:
                    "unchanged re-sync: %.2f s — %.0f pages/min, %d answered 304, %d downloaded (goal: 0), %d modified rows",
                again.seconds,
                perMinute(again.seconds),
                againCounts.notModified,
                againCounts.downloads,
                again.modified
            )
        )
        print(
            String(
                format:
                    #"{"benchmark":"site","pages":%d,"latencyMs":%d,"ceilingPagesPerMinute":%.0f,"firstPagesPerMinute":%.0f,"resyncPagesPerMinute":%.0f,"resyncDownloads":%d,"resyncNotModified":%d}"#,
                pages,
                latency,
                perMinute(ceiling),
                perMinute(first.seconds),
                perMinute(again.seconds),
                againCounts.downloads,
                againCounts.notModified
            )
        )
    }

    /// A page of about 2 KB of varied prose each, from the same sentences as the `sync` benchmark's rows.
    static func pageTexts(_ count: Int) -> [String] {
        let rows = SyncBenchmark.rows(megabytes: max(1, count * 2 / 1000 + 1))
        return (0..<count).map { index in rows[(2 * index) % rows.count] + "\n\n" + rows[(2 * index + 1) % rows.count] }
    }
}

/// The site under measurement: robots.txt, a sitemap of every page, and pages with ETags that answer 304 to a
/// request that sends theirs back.
final class LocalSite: Sendable {
    struct Counts {
        var downloads = 0
        var notModified = 0
    }

    let texts: [String]
    let latency: Duration
    private let counts = Mutex(Counts())

    init(texts: [String], latency: Duration) {
        self.texts = texts
        self.latency = latency
    }

    @discardableResult
    func resetCounts() -> Counts {
        counts.withLock { counts in
            defer { counts = Counts() }
            return counts
        }
    }

    func run<Value: Sendable>(_ body: @Sendable (String) async throws -> Value) async throws -> Value {
        let router = Router()
        router.get("robots.txt") { _, _ in "User-agent: *\nAllow: /\n" }
        router.get("sitemap.xml") { request, _ -> Response in
            let base = "http://\(request.head.authority ?? "127.0.0.1")"
            let urls = self.texts.indices.map { "<url><loc>\(base)/page/\($0)</loc></url>" }.joined()
            let xml =
                #"<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">"#
                + urls + "</urlset>"
            return Response(
                status: .ok,
                headers: [.contentType: "application/xml"],
                body: .init(byteBuffer: ByteBuffer(string: xml))
            )
        }
        router.get("page/{number}") { request, context -> Response in
            guard let number = context.parameters.get("number", as: Int.self), self.texts.indices.contains(number)
            else {
                return Response(status: .notFound)
            }
            if self.latency > .zero { try await Task.sleep(for: self.latency) }
            let etag = "\"page-\(number)-v1\""
            if request.headers[.ifNoneMatch] == etag {
                self.counts.withLock { $0.notModified += 1 }
                return Response(status: .notModified, headers: [.eTag: etag])
            }
            self.counts.withLock { $0.downloads += 1 }
            let html =
                "<html><head><title>Page \(number)</title></head><body><p>\(self.texts[number])</p></body></html>"
            return Response(
                status: .ok,
                headers: [.contentType: "text/html; charset=utf-8", .eTag: etag],
                body: .init(byteBuffer: ByteBuffer(string: html))
            )
        }
        return try await withLocalServer(router, body)
    }

    /// Seconds to fetch every page `concurrency` at a time with a plain client: what the site itself allows.
    func directFetchSeconds(base: String, concurrency: Int) async throws -> Double {
        let client = BenchClient.make(connections: concurrency)
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func fetch(_ index: Int) {
                group.addTask {
                    let response = try await client.execute(
                        HTTPClientRequest(url: "\(base)/page/\(index)"),
                        timeout: .seconds(30)
                    )
                    _ = try await response.body.collect(upTo: 1 << 20)
                }
            }
            while next < min(concurrency, texts.count) {
                fetch(next)
                next += 1
            }
            while try await group.next() != nil, next < texts.count {
                fetch(next)
                next += 1
            }
            try await group.waitForAll()
        }
        try await client.shutdown()
        resetCounts()
        return (ContinuousClock.now - start).seconds
    }
}
