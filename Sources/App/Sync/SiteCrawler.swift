import Crypto
import Foundation

/// Reads the pages a `url` data source's sitemap lists (DESIGN.md §7, "Sites from a sitemap"): the sitemap —
/// or an index of sitemaps, gzipped or not — on the sitemap's own site, filtered by the data source's path
/// prefixes and by the site's robots.txt for this crawler, up to `maxPages`, in the sitemaps' order.
struct SiteCrawler: Sendable {
    /// A sitemap download; the protocol allows 50 MB uncompressed, which `expandedLimit` holds to.
    static let sitemapSizeLimit = 10 << 20
    static let expandedLimit = 50 << 20
    /// Sitemaps read in one sync: an index and its children.
    static let sitemapLimit = 50
    static let robotsSizeLimit = 512 << 10

    let fetcher: PageFetcher

    /// The pages to sync, as rows keyed by their URL.
    func rows(of site: SiteSettings) async throws(SyncPlanner.Failure) -> [RowInput] {
        guard let sitemapURL = URL(string: site.sitemapUrl), let origin = Self.origin(of: sitemapURL) else {
            throw SyncPlanner.Failure(reason: "The sitemap URL \(site.sitemapUrl) is not a valid URL.")
        }
        let robots = try await robotsRules(origin: origin)
        guard robots.allows(Self.pathAndQuery(of: sitemapURL)) else {
            throw SyncPlanner.Failure(
                reason: "The robots.txt of \(origin) does not allow this crawler to read the sitemap."
            )
        }
        var queue = [site.sitemapUrl]
        var read = 0
        var seen: Set<String> = []
        var pages: [String] = []
        while !queue.isEmpty, pages.count < site.maxPages, read < Self.sitemapLimit {
            let address = queue.removeFirst()
            read += 1
            switch try await sitemap(at: address) {
            case .index(let children):
                queue += children.filter { URL(string: $0).flatMap(Self.origin) == origin }
            case .pages(let addresses):
                for address in addresses where pages.count < site.maxPages {
                    guard let url = URL(string: address), Self.origin(of: url) == origin,
                        site.includes(path: url.path), robots.allows(Self.pathAndQuery(of: url)),
                        seen.insert(address).inserted
                    else { continue }
                    pages.append(address)
                }
            }
        }
        return pages.map { RowInput(key: Self.rowKey(for: $0), title: nil, content: nil, url: $0) }
    }

    private func robotsRules(origin: String) async throws(SyncPlanner.Failure) -> RobotsRules {
        let fetched: PageFetcher.Fetched
        do {
            fetched = try await fetcher.fetch(
                "\(origin)/robots.txt",
                accept: "text/plain",
                sizeLimit: Self.robotsSizeLimit
            )
        } catch {
            throw SyncPlanner.Failure(reason: "The robots.txt of \(origin) could not be fetched: it \(error.reason)")
        }
        switch fetched.status {
        case 200..<300:
            return RobotsRules(String(decoding: fetched.body, as: UTF8.self), userAgent: PageFetcher.robotsToken)
        case 400..<500: return .allowAll
        default:
            // RFC 9309: a server error means "assume everything disallowed"; the sync fails rather than empty the
            // data source.
            throw SyncPlanner.Failure(reason: "The robots.txt of \(origin) answered HTTP \(fetched.status).")
        }
    }

    private func sitemap(at address: String) async throws(SyncPlanner.Failure) -> Sitemap {
        do {
            let fetched = try await fetcher.fetch(
                address,
                accept: "application/xml, text/xml;q=0.9, */*;q=0.5",
                sizeLimit: Self.sitemapSizeLimit
            )
            guard (200..<300).contains(fetched.status) else {
                throw SyncPlanner.Failure(reason: "The sitemap \(address) answered HTTP \(fetched.status).")
            }
            var body = fetched.body
            if body.starts(with: Gunzip.magic) {
                do {
                    body = try Gunzip.inflate(body, limit: Self.expandedLimit)
                } catch {
                    throw SyncPlanner.Failure(reason: "The sitemap \(address) could not be read: \(error.reason).")
                }
            }
            do {
                return try Sitemap(xml: body)
            } catch {
                throw SyncPlanner.Failure(reason: "The sitemap \(address) could not be read: it \(error.reason).")
            }
        } catch let failure as SyncPlanner.Failure {
            throw failure
        } catch let failure as PageFetcher.Failure {
            throw SyncPlanner.Failure(reason: "The sitemap \(address) could not be fetched: it \(failure.reason)")
        } catch {
            throw SyncPlanner.Failure(reason: "The sitemap \(address) could not be read: \(error).")
        }
    }

    /// `https://example.com:8443`: a page belongs to the sitemap's site when it has the same.
    static func origin(of url: URL) -> String? {
        guard let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased(), !host.isEmpty else {
            return nil
        }
        return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
    }

    static func pathAndQuery(of url: URL) -> String {
        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        let path = components?.percentEncodedPath ?? "/"
        return (path.isEmpty ? "/" : path) + (components?.percentEncodedQuery.map { "?\($0)" } ?? "")
    }

    /// The URL itself; one longer than a key may be is cut, with a hash of the whole to keep it unique.
    static func rowKey(for address: String) -> String {
        guard address.count > RowRules.maximumKeyLength else { return address }
        let digest = SHA256.hash(data: Data(address.utf8)).hexString.prefix(16)
        return "\(address.prefix(RowRules.maximumKeyLength - 18))…#\(digest)"
    }
}

/// A `url` data source's site: where its sitemap is, how many pages to take and which paths.
struct SiteSettings: Sendable, Equatable {
    static let defaultMaxPages = 200
    static let maxPagesRange = 1...5_000

    var sitemapUrl: String
    var maxPages: Int
    var include: [String]
    var exclude: [String]

    /// Whether a page's path is one the data source takes: under an `include` prefix (any, without one), and
    /// under no `exclude` prefix.
    func includes(path: String) -> Bool {
        let path = path.isEmpty ? "/" : path
        return (include.isEmpty || include.contains { path.hasPrefix($0) }) && !exclude.contains { path.hasPrefix($0) }
    }
}
