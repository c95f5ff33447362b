import Foundation
import Hummingbird
import Testing

@testable import App

/// `url` data sources that follow a site's sitemap (DESIGN.md §7, "Sites from a sitemap"), against a local site.
@Suite struct SitemapSourceTests {
    /// A site with robots.txt, a sitemap index, a gzipped child sitemap and a plain one, and their pages (each with
    /// an ETag, or for docs/c a Last-Modified date).
    static func site() -> TestWebsite {
        let site = TestWebsite()
        site.set(
            "robots.txt",
            text(
                """
                User-agent: *
                Disallow: /

                User-agent: Switchboard-Sync
                Disallow: /private/
                Allow: /
                """
            )
        )
        for (name, words) in [
            ("docs/a", "Installing the widget takes one script tag."),
            ("docs/b", "Billing happens on the first day of each month."),
            ("docs/c", "Agents can transfer a conversation to a colleague."),
            ("blog/1", "We moved our servers to Lyon this spring."),
            ("blog/2", "Ratings arrive: visitors score each conversation."),
            ("private/secret", "Nobody should read this."),
            ("drafts/x", "An unfinished draft."),
        ] {
            var page = TestWebsite.Page("<html><head><title>\(name)</title></head><body><p>\(words)</p></body></html>")
            if name == "docs/c" {
                page.headers[.lastModified] = "Wed, 02 Dec 2026 10:00:00 GMT"
            } else {
                page.headers[.eTag] = "\"\(name)-v1\""
            }
            site.set(name, page)
        }
        return site
    }

    static func text(_ body: String, type: String = "text/plain") -> TestWebsite.Page {
        var page = TestWebsite.Page(body)
        page.contentType = type
        return page
    }

    static func urlset(_ addresses: [String]) -> String {
        #"<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">"#
            + addresses.map { "<url><loc>\($0)</loc><changefreq>daily</changefreq></url>" }.joined() + "</urlset>"
    }

    /// Publishes the sitemaps of `base`: an index of a gzipped docs sitemap and a plain blog one.
    static func publishSitemaps(_ site: TestWebsite, base: String, blog: [String] = ["blog/1", "blog/2", "drafts/x"]) {
        site.set(
            "sitemap_index.xml",
            text(
                #"<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">"#
                    + "<sitemap><loc>\(base)/sitemap-docs.xml.gz</loc></sitemap>"
                    + "<sitemap><loc>\(base)/sitemap-blog.xml</loc></sitemap>"
                    + "<sitemap><loc>http://elsewhere.invalid/sitemap.xml</loc></sitemap></sitemapindex>",
                type: "application/xml"
            )
        )
        var docs = TestWebsite.Page(
            body: FileFixtures.gzip(
                Array(
                    urlset(
                        ["docs/a", "docs/b", "docs/c", "private/secret"].map { "\(base)/\($0)" }
                            + ["http://elsewhere.invalid/docs/z"]
                    ).utf8
                )
            )
        )
        docs.contentType = "application/gzip"
        site.set("sitemap-docs.xml.gz", docs)
        site.set("sitemap-blog.xml", text(urlset(blog.map { "\(base)/\($0)" }), type: "application/xml"))
    }

    static func sitemapSource(_ api: API, _ app: TestApp, base: String, extra: String = "") async throws -> Source {
        let bot = try await api.createBot(name: "Site bot", key: app.ownerKey)["id"]!.string!
        let reply = try await api.post(
            "/api/v1/bots/\(bot)/data-sources",
            key: app.ownerKey,
            json:
                #"{"name": "Help site", "type": "url", "sitemapUrl": "\#(base)/sitemap_index.xml", "exclude": ["/drafts/"]\#(extra)}"#
        )
        #expect(reply.status == .created, "\(reply.text)")
        return Source(bot: bot, id: try reply.json["id"]!.string!)
    }

    static func rowKeys(_ api: API, _ app: TestApp, _ source: Source) async throws -> [String] {
        try await api.get("\(source.base)/rows", key: app.ownerKey).json["data"]?.array?.compactMap {
            $0["key"]?.string
        }
            ?? []
    }

    @Test func aSitemapIndexBecomesTheRowSetWithinRobotsAndThePathRules() async throws {
        let app = try await TestApp { $0.allowPrivateTargets = true }
        let site = Self.site()
        try await site.run { base in
            Self.publishSitemaps(site, base: base)
            try await app.run { api in
                // Given a url data source on the site's sitemap index, excluding /drafts/
                let source = try await Self.sitemapSource(api, app, base: base)
                // When it syncs
                let job = try await Fixtures.sync(api, app, source)
                // Then its rows are the pages both sitemaps list on the site itself, less what robots.txt keeps
                // from this crawler and the excluded path; the gzipped sitemap was read
                #expect(job["status"]?.string == "succeeded", "\(job)")
                let expected = ["blog/1", "blog/2", "docs/a", "docs/b", "docs/c"].map { "\(base)/\($0)" }
                #expect(try await Self.rowKeys(api, app, source) == expected)
                #expect(job["results"]?["totalDataSourceRows"]?.int == 5)
                #expect(site.hitCount("private/secret") == 0 && site.hitCount("drafts/x") == 0)
                let documents = try await Fixtures.documents(api, app, source)
                #expect(Set(documents.compactMap { $0["rowKey"]?.string }) == Set(expected))
                #expect(documents.contains { $0["text"]?.string?.contains("first day of each month") == true })
            }
        }
    }

    @Test func aResyncAsksConditionallyAndDownloadsNothingThatAnswered304() async throws {
        let app = try await TestApp { $0.allowPrivateTargets = true }
        let site = Self.site()
        try await site.run { base in
            Self.publishSitemaps(site, base: base)
            try await app.run { api in
                let source = try await Self.sitemapSource(api, app, base: base)
                let first = try await Fixtures.sync(api, app, source)
                #expect(first["results"]?["modifiedRows"]?.int == 5)
                // When it syncs again with nothing changed
                let again = try await Fixtures.sync(api, app, source)
                // Then every page answered 304 — by ETag, or for docs/c by date — and nothing was re-tokenized
                for page in ["docs/a", "docs/b", "docs/c", "blog/1", "blog/2"] {
                    #expect(site.notModifiedCount(page) == 1, "\(page)")
                }
                #expect(again["results"]?["modifiedRows"]?.int == 0)
                #expect(again["results"]?["unmodifiedRows"]?.int == 5)
                #expect(again["results"]?["totalTokens"]?.int == 0)
                // When one page changes (a new ETag), only it is downloaded and written again
                var changed = TestWebsite.Page("<html><body><p>Billing now happens on the fifth.</p></body></html>")
                changed.headers[.eTag] = "\"docs/b-v2\""
                site.set("docs/b", changed)
                let third = try await Fixtures.sync(api, app, source)
                #expect(third["results"]?["modifiedRows"]?.int == 1)
                #expect(site.notModifiedCount("docs/a") == 2 && site.notModifiedCount("docs/b") == 1)
                let documents = try await Fixtures.documents(api, app, source)
                #expect(documents.contains { $0["text"]?.string?.contains("on the fifth") == true })
            }
        }
    }

    @Test func aPageThatLeavesTheSitemapOrVanishesLeavesTheRowSetWithItsDocuments() async throws {
        let app = try await TestApp { $0.allowPrivateTargets = true }
        let site = Self.site()
        try await site.run { base in
            Self.publishSitemaps(site, base: base)
            try await app.run { api in
                let source = try await Self.sitemapSource(api, app, base: base)
                _ = try await Fixtures.sync(api, app, source)
                // When blog/2 leaves the sitemap and docs/c, still listed, answers 404
                Self.publishSitemaps(site, base: base, blog: ["blog/1"])
                site.remove("docs/c")
                let job = try await Fixtures.sync(api, app, source)
                // Then both leave the rows and the documents; the sync still succeeds
                #expect(job["status"]?.string == "succeeded", "\(job)")
                let expected = ["blog/1", "docs/a", "docs/b"].map { "\(base)/\($0)" }
                #expect(try await Self.rowKeys(api, app, source) == expected)
                let documents = try await Fixtures.documents(api, app, source)
                #expect(Set(documents.compactMap { $0["rowKey"]?.string }) == Set(expected))
            }
        }
    }

    @Test func maxPagesAndIncludeBoundTheCrawl() async throws {
        let app = try await TestApp { $0.allowPrivateTargets = true }
        let site = Self.site()
        try await site.run { base in
            Self.publishSitemaps(site, base: base)
            try await app.run { api in
                // Given at most two pages, under /docs/ only
                let source = try await Self.sitemapSource(
                    api,
                    app,
                    base: base,
                    extra: #", "maxPages": 2, "include": ["/docs/"]"#
                )
                _ = try await Fixtures.sync(api, app, source)
                // Then the first two docs pages are the rows, and nothing else was fetched
                #expect(try await Self.rowKeys(api, app, source) == ["docs/a", "docs/b"].map { "\(base)/\($0)" })
                #expect(site.hitCount("docs/c") == 0 && site.hitCount("blog/1") == 0)
            }
        }
    }

    @Test func aRobotsFileThatFailsFailsTheSyncAndKeepsTheRows() async throws {
        let app = try await TestApp { $0.allowPrivateTargets = true }
        let site = Self.site()
        try await site.run { base in
            Self.publishSitemaps(site, base: base)
            try await app.run { api in
                let source = try await Self.sitemapSource(api, app, base: base)
                _ = try await Fixtures.sync(api, app, source)
                // When robots.txt answers 503
                var unavailable = Self.text("down")
                unavailable.status = .serviceUnavailable
                site.set("robots.txt", unavailable)
                let job = try await Fixtures.sync(api, app, source)
                // Then the sync fails saying so, and the rows and documents stay as they were
                #expect(job["status"]?.string == "failed")
                #expect(job["reason"]?.string?.contains("robots.txt") == true, "\(job)")
                #expect(try await Self.rowKeys(api, app, source).count == 5)
            }
        }
    }

    @Test func sitemapSettingsAreCheckedAndTheirRowsAreTheSitemaps() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let bot = try await api.createBot(name: "Bot", key: app.ownerKey)["id"]!.string!
            for (body, field) in [
                (#"{"name": "S", "type": "text", "sitemapUrl": "https://example.com/sitemap.xml"}"#, "sitemapUrl"),
                (#"{"name": "S", "type": "url", "sitemapUrl": "ftp://example.com/sitemap.xml"}"#, "sitemapUrl"),
                (
                    #"{"name": "S", "type": "url", "sitemapUrl": "https://example.com/s.xml", "maxPages": 5001}"#,
                    "maxPages"
                ),
                (
                    #"{"name": "S", "type": "url", "sitemapUrl": "https://example.com/s.xml", "maxPages": 0}"#,
                    "maxPages"
                ),
                (
                    #"{"name": "S", "type": "url", "sitemapUrl": "https://example.com/s.xml", "include": ["docs"]}"#,
                    "include"
                ),
                (#"{"name": "S", "type": "url", "maxPages": 10}"#, "maxPages"),
            ] {
                let refused = try await api.post("/api/v1/bots/\(bot)/data-sources", key: app.ownerKey, json: body)
                #expect(refused.status == .unprocessableContent, "\(body)")
                #expect(try refused.json["error"]?["details"]?["field"]?.string == field, "\(body)")
            }
            // A sitemap source shows its settings, the default of 200 pages, and takes no rows by hand
            let created = try await api.post(
                "/api/v1/bots/\(bot)/data-sources",
                key: app.ownerKey,
                json: #"{"name": "Site", "type": "url", "sitemapUrl": "https://example.com/sitemap.xml"}"#
            ).json
            #expect(
                created["maxPages"]?.int == 200 && created["include"]?.array == [] && created["exclude"]?.array == []
            )
            let source = Source(bot: bot, id: created["id"]!.string!)
            let written = try await api.request(
                .put,
                "\(source.base)/rows",
                key: app.ownerKey,
                body: #"{"rows": [{"key": "a", "url": "https://example.com/a"}]}"#
            )
            #expect(written.status == .conflict && written.errorCode == "wrong_data_source_type")
            // Clearing the sitemap makes it a plain url source again
            let cleared = try await api.patch(source.base, key: app.ownerKey, json: #"{"sitemapUrl": null}"#).json
            #expect(cleared["sitemapUrl"] == .null && cleared["maxPages"] == .null)
        }
    }
}
