import Foundation
import Tokenizer

/// Plans a sync: the text of every row — stored for `text`, `csv` and `file` rows, fetched for `url` rows (those a
/// sitemap lists, for a sitemap source) — hashed and chunked against the last successful sync. The worker and
/// the dry run both plan through here.
struct SyncPlanner: Sendable {
    static let concurrentFetches = 4
    /// Pages of one host fetched at once, so a sync never floods a site.
    static let fetchesPerHost = 2

    /// Why a sync cannot go ahead, worded as the job's reason.
    struct Failure: Error {
        let reason: String
    }

    let encodings: TokenEncodings
    let pages: PageFetcher

    /// `validators`: the pages' validators from the last successful sync, sent so unchanged pages answer 304.
    /// `meter`, when given, follows the plan row by row: fetching pages, then tokenizing.
    func plan(
        _ source: DataSource,
        rows: [DataSourceRow],
        previous: [String: String],
        validators: [String: PageValidators] = [:],
        encoding: Encoding.Name,
        meter: SyncProgressMeter? = nil
    ) async throws(Failure) -> SyncPlan {
        let chunker = Chunker(encoding: encodings[encoding], limit: source.chunkTokens)
        var inputs: [SyncPlan.Input]
        var replacementRows: [RowInput]?
        if let site = source.site {
            let listed = try await SiteCrawler(fetcher: pages).rows(of: site)
            meter?.begin(.fetching, rowsTotal: listed.count)
            // Pages that answer 404 or 410 leave the row set, like those no longer listed.
            inputs = try await pageInputs(
                listed,
                validators: validators,
                chunker: chunker,
                gonePagesLeave: true,
                meter: meter
            )
            let kept = Set(inputs.map(\.key))
            replacementRows = listed.filter { kept.contains($0.key) }
        } else if source.type == .url {
            inputs = try await pageInputs(
                rows.map(RowInput.init),
                validators: validators,
                chunker: chunker,
                gonePagesLeave: false,
                meter: meter
            )
        } else {
            inputs = rows.map { .init(key: $0.key, text: SyncPlan.text(title: $0.title, content: $0.content ?? "")) }
        }
        meter?.begin(.tokenizing, rowsTotal: inputs.count)
        var plan = SyncPlan(rows: inputs, previous: previous, chunker: chunker, rowDone: { meter?.rowDone(tokens: $0) })
        plan.replacementRows = replacementRows
        return plan
    }

    /// Each row's page, fetched a few at a time and at most `fetchesPerHost` of a host at once; the first page
    /// that cannot be fetched fails them all.
    private func pageInputs(
        _ rows: [RowInput],
        validators: [String: PageValidators],
        chunker: Chunker,
        gonePagesLeave: Bool,
        meter: SyncProgressMeter?
    ) async throws(Failure) -> [SyncPlan.Input] {
        // Validators of pages chunked otherwise are not sent: their documents must be made again.
        let chunking = SyncPlan.settings(of: chunker)
        let hosts = rows.map { URL(string: $0.url ?? "")?.host?.lowercased() ?? "" }
        var queues = HostQueues(hosts: hosts, perHost: Self.fetchesPerHost)
        do {
            return try await withThrowingTaskGroup(of: (Int, SyncPlan.Input?).self) { group in
                var inputs = [SyncPlan.Input?](repeating: nil, count: rows.count)
                var running = 0
                func startFetches() {
                    while running < Self.concurrentFetches, let index = queues.next() {
                        running += 1
                        let row = rows[index]
                        let sent = validators[row.key].flatMap { $0.chunking == chunking ? $0 : nil }
                        group.addTask {
                            (index, try await input(of: row, validators: sent, gonePagesLeave: gonePagesLeave))
                        }
                    }
                }
                startFetches()
                while let (index, input) = try await group.next() {
                    running -= 1
                    queues.finished(host: hosts[index])
                    inputs[index] = input
                    meter?.rowDone()
                    startFetches()
                }
                return inputs.compactMap { $0 }
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(reason: "The pages could not be fetched: \(error).")
        }
    }

    private static func unfetched(_ row: RowInput, because reason: String) -> String {
        "The page of row \"\(row.key)\" (\(row.url ?? "")) could not be fetched: it \(reason)"
    }

    /// The row's page as text; nil for a page gone from a sitemap source.
    private func input(
        of row: RowInput,
        validators: PageValidators?,
        gonePagesLeave: Bool
    ) async throws(Failure) -> SyncPlan.Input? {
        let result: PageFetcher.PageResult
        do {
            result = try await pages.page(at: row.url ?? "", validators: validators ?? PageValidators())
        } catch {
            throw Failure(reason: Self.unfetched(row, because: error.reason))
        }
        switch result {
        case .page(let page, let fresh):
            return .init(
                key: row.key,
                text: SyncPlan.text(title: row.title ?? page.title, content: page.text),
                validators: fresh.isEmpty ? nil : fresh
            )
        case .notModified:
            return .init(key: row.key, text: nil)
        case .gone where gonePagesLeave:
            return nil
        case .gone(let status):
            throw Failure(reason: Self.unfetched(row, because: "answered HTTP \(status)."))
        }
    }
}
