/// What a conditional request sends back for a `url` row's page: its `ETag` and `Last-Modified` as the last
/// successful sync fetched it, and how that sync chunked it. A page that answers 304 keeps its documents only
/// when they were chunked as this sync would chunk them (the same encoding and `chunkTokens`).
struct PageValidators: Codable, Sendable, Equatable {
    var etag: String?
    var lastModified: String?
    /// `SyncPlan.settings` of the sync that stored them.
    var chunking: String?

    var isEmpty: Bool { etag == nil && lastModified == nil }
}
