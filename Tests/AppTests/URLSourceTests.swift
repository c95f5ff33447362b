import Foundation
import Testing

@testable import App

/// `url` data sources: pages fetched from a real local web site at sync time and turned into text.
@Suite struct URLSourceTests {

    static let faq = """
        <!DOCTYPE html><html><head><title>Opening  hours</title><style>p { color: red }</style>
        <script>var secret = "not text";</script></head>
        <body><nav><a href="/">Home</a></nav>
        <h1>Opening hours</h1>
        <p>We open at 9&nbsp;am &amp; close at 5&nbsp;pm &#8212; caf&eacute; included.</p>
        <ul><li>Monday</li><li>Tuesday</li></ul>
        <noscript>Enable JavaScript</noscript>
        </body></html>
        """

    @Test func aURLSourceSyncsEachPageAsTextAndResyncsOnlyWhatChanged() async throws {
        let app = try await TestApp { $0.allowPrivateTargets = true }
        let site = TestWebsite()
        site.set("faq", .init(Self.faq))
        site.set(
            "notes",
            {
                var page = TestWebsite.Page("Plain notes.")
                page.contentType = "text/plain"
                return page
            }()
        )
        try await site.run { base in
            try await app.run { api in
                let source = try await Fixtures.urlSource(
                    api,
                    app,
                    rows: [("faq", "\(base)/faq"), ("notes", "\(base)/notes")]
                )
                // The dry run fetches the pages to price them
                let dryRun = try await api.request(.post, "\(source.base)/syncs?dryRun=true", key: app.ownerKey).json
                #expect(dryRun["allowed"]?.bool == true && dryRun["modifiedRows"]?.int == 2)
                let first = try await Fixtures.sync(api, app, source)
                #expect(first["status"]?.string == "succeeded", "\(first)")
                #expect(first["results"]?["modifiedRows"]?.int == 2)
                #expect(first["results"]?["totalTokens"]?.int == dryRun["totalTokens"]?.int)
                let documents = try await Fixtures.documents(api, app, source)
                let faqText = documents.filter { $0["rowKey"]?.string == "faq" }.compactMap { $0["text"]?.string }
                    .joined()
                #expect(
                    faqText == """
                        Opening hours

                        Home

                        Opening hours

                        We open at 9 am & close at 5 pm — café included.

                        Monday

                        Tuesday
                        """
                )
                #expect(documents.contains { $0["rowKey"]?.string == "notes" && $0["text"]?.string == "Plain notes." })
                // Unchanged pages cost nothing; a changed page is the one modified row
                let again = try await Fixtures.sync(api, app, source)
                #expect(again["results"]?["modifiedRows"]?.int == 0 && again["results"]?["totalTokens"]?.int == 0)
                site.set("faq", .init(Self.faq.replacingOccurrences(of: "5&nbsp;pm", with: "6&nbsp;pm")))
                let third = try await Fixtures.sync(api, app, source)
                #expect(third["results"]?["modifiedRows"]?.int == 1 && third["results"]?["unmodifiedRows"]?.int == 1)
                #expect(site.hitCount("faq") == 4)
            }
        }
    }

    @Test func aPageThatCannotBeFetchedFailsTheSyncAndLeavesTheDocumentsAlone() async throws {
        let app = try await TestApp { $0.allowPrivateTargets = true }
        let site = TestWebsite()
        site.set("faq", .init(Self.faq))
        try await site.run { base in
            try await app.run { api in
                let source = try await Fixtures.urlSource(api, app, rows: [("faq", "\(base)/faq")])
                _ = try await Fixtures.sync(api, app, source)
                let before = try await Fixtures.documents(api, app, source)
                #expect(!before.isEmpty && before.allSatisfy { $0["text"]?.string?.isEmpty == false })
                site.set(
                    "faq",
                    {
                        var page = TestWebsite.Page("Gone")
                        page.status = .notFound
                        return page
                    }()
                )
                let failed = try await Fixtures.sync(api, app, source)
                #expect(failed["status"]?.string == "failed")
                #expect(
                    failed["reason"]?.string
                        == "The page of row \"faq\" (\(base)/faq) could not be fetched: it answered HTTP 404."
                )
                #expect(try await Fixtures.documents(api, app, source) == before)
            }
        }
    }

    @Test func redirectsAreFollowedToTheirPage() async throws {
        let app = try await TestApp { $0.allowPrivateTargets = true }
        let site = TestWebsite()
        site.set("faq", .init(Self.faq))
        try await site.run { base in
            var moved = TestWebsite.Page("Moved")
            moved.status = .movedPermanently
            moved.headers[.location] = "/faq"
            site.set("old-faq", moved)
            try await app.run { api in
                let source = try await Fixtures.urlSource(api, app, rows: [("faq", "\(base)/old-faq")])
                let job = try await Fixtures.sync(api, app, source)
                #expect(job["status"]?.string == "succeeded", "\(job)")
                let documents = try await Fixtures.documents(api, app, source)
                #expect(documents.first?["text"]?.string?.hasPrefix("Opening hours") == true)
                #expect(site.hitCount("faq") == 1)
            }
        }
    }

    @Test(arguments: [
        ("huge", "it is larger than 5 MiB."),
        ("slow", "it did not answer within the fetch timeout."),
        ("image", "it is not an HTML or text page (Content-Type image/png)."),
        ("loop", "it redirected more than 5 times."),
    ])
    func pagesThatAreTooLargeTooSlowNotTextOrEndlessFailTheSync(name: String, reason: String) async throws {
        let app = try await TestApp {
            $0.allowPrivateTargets = true
            // Long enough for six redirects on a busy machine, short enough for the slow page to miss it
            $0.deliveryTimeout = 3
        }
        let site = TestWebsite()
        site.set("huge", .init(body: [UInt8](repeating: UInt8(ascii: "a"), count: PageFetcher.sizeLimit + 1)))
        site.set(
            "slow",
            {
                var page = TestWebsite.Page("Late")
                page.delay = .seconds(6)
                return page
            }()
        )
        site.set(
            "image",
            {
                var page = TestWebsite.Page(body: [0x89, 0x50])
                page.contentType = "image/png"
                return page
            }()
        )
        site.set(
            "loop",
            {
                var page = TestWebsite.Page("")
                page.status = .found
                page.headers[.location] = "/loop"
                return page
            }()
        )
        try await site.run { base in
            try await app.run { api in
                let source = try await Fixtures.urlSource(api, app, rows: [(name, "\(base)/\(name)")])
                let job = try await Fixtures.sync(api, app, source)
                #expect(job["status"]?.string == "failed")
                #expect(job["reason"]?.string?.hasSuffix(reason) == true, "\(job)")
            }
        }
    }

    @Test func aPageOnALoopbackAddressIsRefusedUnlessPrivateTargetsAreAllowed() async throws {
        let app = try await TestApp()
        let site = TestWebsite()
        site.set("faq", .init(Self.faq))
        try await site.run { base in
            try await app.run { api in
                let source = try await Fixtures.urlSource(api, app, rows: [("faq", "\(base)/faq")])
                let job = try await Fixtures.sync(api, app, source)
                #expect(job["status"]?.string == "failed")
                #expect(job["reason"]?.string?.contains("points at a loopback address (127.0.0.1)") == true, "\(job)")
                #expect(site.hitCount("faq") == 0)
            }
        }
    }
}
