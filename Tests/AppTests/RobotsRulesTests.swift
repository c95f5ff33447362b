import Testing

@testable import App

/// robots.txt as RFC 9309 reads it, for this crawler's product token.
@Suite struct RobotsRulesTests {
    static let file = """
        # Everyone else stays out of /admin
        User-agent: *
        Disallow: /admin

        User-agent: OtherBot
        User-agent: switchboard-sync
        Disallow: /private/
        Allow: /private/press/
        Disallow: /*.pdf$
        Disallow: /search?q=*
        """

    @Test func theGroupNamingThisCrawlerAppliesInsteadOfTheStarGroup() {
        let rules = RobotsRules(Self.file, userAgent: "Switchboard-Sync")
        #expect(rules.allows("/admin/users"))  // only the * group forbids it
        #expect(!rules.allows("/private/plans"))
        #expect(RobotsRules(Self.file, userAgent: "SomeoneElse").allows("/private/plans"))
        #expect(!RobotsRules(Self.file, userAgent: "SomeoneElse").allows("/admin"))
    }

    @Test func theLongestMatchWinsAndWildcardsAndEndAnchorsMatch() {
        let rules = RobotsRules(Self.file, userAgent: "Switchboard-Sync")
        #expect(rules.allows("/private/press/release"))
        #expect(!rules.allows("/files/guide.pdf"))
        #expect(rules.allows("/files/guide.pdf?download=1"))
        #expect(!rules.allows("/search?q=shoes"))
        #expect(rules.allows("/search"))
        #expect(rules.allows("/"))
    }

    @Test func anEmptyDisallowAndAFileWithoutGroupsAllowEverything() {
        #expect(RobotsRules("User-agent: *\nDisallow:\n", userAgent: "Switchboard-Sync").allows("/anything"))
        #expect(RobotsRules("Sitemap: https://example.com/sitemap.xml", userAgent: "Switchboard-Sync").allows("/x"))
        #expect(RobotsRules.allowAll.allows("/x"))
    }
}

/// Fetching at most a few pages of one host at once.
@Suite struct HostQueuesTests {
    @Test func aHostNeverHasMoreThanItsShareInFlightAndHostsTakeTurns() {
        var queues = HostQueues(hosts: ["a", "a", "a", "b", "a", "b"], perHost: 2)
        var started: [Int] = []
        while let next = queues.next() { started.append(next) }
        // Two of a, two of b, then nothing until one ends
        #expect(started.sorted() == [0, 1, 3, 5])
        queues.finished(host: "a")
        #expect(queues.next() == 2)
        #expect(queues.next() == nil)
        queues.finished(host: "b")
        #expect(queues.next() == nil)  // b has no more pages
        queues.finished(host: "a")
        #expect(queues.next() == 4)
    }
}
