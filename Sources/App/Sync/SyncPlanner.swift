import Tokenizer

/// Plans a sync: the text of every row — stored for `text` and `csv` rows, fetched for `url` rows — hashed
/// and chunked against the last successful sync. The worker and the dry run both plan through here.
struct SyncPlanner: Sendable {
    static let concurrentFetches = 4

    /// Why a sync cannot go ahead, worded as the job's reason.
    struct Failure: Error {
        let reason: String
    }

    let encodings: TokenEncodings
    let pages: PageFetcher

    /// `meter`, when given, follows the plan row by row: fetching pages, then tokenizing.
    func plan(
        _ source: DataSource,
        rows: [DataSourceRow],
        previous: [String: String],
        encoding: Encoding.Name,
        meter: SyncProgressMeter? = nil
    ) async throws(Failure) -> SyncPlan {
        let texts =
            source.type == .url
            ? try await pageTexts(rows, meter: meter)
            : rows.map { (key: $0.key, text: SyncPlan.text(title: $0.title, content: $0.content ?? "")) }
        meter?.begin(.tokenizing)
        return SyncPlan(
            rows: texts,
            previous: previous,
            chunker: Chunker(encoding: encodings[encoding], limit: source.chunkTokens),
            rowDone: { meter?.rowDone(tokens: $0) }
        )
    }

    /// Each row's page as text, fetched a few at a time; the first page that cannot be fetched fails them all.
    private func pageTexts(
        _ rows: [DataSourceRow],
        meter: SyncProgressMeter?
    ) async throws(Failure) -> [(key: String, text: String)] {
        do {
            return try await withThrowingTaskGroup(of: (Int, String).self) { group in
                var texts = [String](repeating: "", count: rows.count)
                var next = 0
                func fetch(_ index: Int) {
                    let row = rows[index]
                    group.addTask { (index, try await pageText(of: row)) }
                }
                while next < min(Self.concurrentFetches, rows.count) {
                    fetch(next)
                    next += 1
                }
                while let (index, text) = try await group.next() {
                    texts[index] = text
                    meter?.rowDone()
                    if next < rows.count {
                        fetch(next)
                        next += 1
                    }
                }
                return zip(rows, texts).map { (key: $0.key, text: $1) }
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(reason: "The pages could not be fetched: \(error).")
        }
    }

    private func pageText(of row: DataSourceRow) async throws(Failure) -> String {
        let url = row.url ?? ""
        do {
            let page = try await pages.page(at: url)
            return SyncPlan.text(title: row.title ?? page.title, content: page.text)
        } catch {
            throw Failure(reason: "The page of row \"\(row.key)\" (\(url)) could not be fetched: it \(error.reason)")
        }
    }
}
