import Foundation

/// One page of a list: `{"data": [...], "nextCursor": "…" | null}` (DESIGN.md §3).
struct Page<Item: Encodable & Sendable>: Encodable, Sendable {
    let data: [Item]
    let nextCursor: String?

    func map<Other>(_ transform: (Item) -> Other) -> Page<Other> {
        Page<Other>(data: data.map(transform), nextCursor: nextCursor)
    }

    // Always write `nextCursor`, even when null, so clients can rely on the key.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(data, forKey: .data)
        try container.encode(nextCursor, forKey: .nextCursor)
    }

    private enum CodingKeys: String, CodingKey { case data, nextCursor }
}

/// Where a list starts and how long it runs, read from `?limit=` and `?cursor=`.
///
/// Lists are ordered by creation time, then id, so a page boundary is stable under concurrent inserts.
/// The cursor names the last item of the previous page; it is opaque to clients.
struct PageRequest: Sendable {
    static let defaultLimit = 50
    static let maximumLimit = 200

    let limit: Int
    let after: Position?

    struct Position: Sendable, Equatable {
        let createdAt: Timestamp
        let id: String
    }

    init(limit: Int = PageRequest.defaultLimit, after: Position? = nil) {
        self.limit = limit
        self.after = after
    }

    /// Parses the query parameters, rejecting what a client could not have meant.
    init(limit: String?, cursor: String?) throws(AppError) {
        var parsedLimit = Self.defaultLimit
        if let limit {
            guard let value = Int(limit), (1...Self.maximumLimit).contains(value) else {
                throw .invalidParameter("limit", "limit must be a whole number from 1 to \(Self.maximumLimit).")
            }
            parsedLimit = value
        }
        var position: Position?
        if let cursor, !cursor.isEmpty {
            guard let decoded = Position(cursor: cursor) else {
                throw .invalidParameter("cursor", "cursor is not one this server handed out.")
            }
            position = decoded
        }
        self.init(limit: parsedLimit, after: position)
    }
}

/// A list's cursor: base64url (safe in a query string as it is) of a position only this server writes.
enum Cursor {
    static func encode(_ position: String) -> String {
        Data(position.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The position, or `400 invalid_parameter` for text this server did not hand out.
    static func decode(_ cursor: String) throws(AppError) -> String {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard cursor.utf8.count <= 1024, let data = Data(base64Encoded: base64),
            let position = String(data: data, encoding: .utf8)
        else { throw invalid }
        return position
    }

    static let invalid = AppError.invalidParameter("cursor", "cursor is not one this server handed out.")
}

extension PageRequest.Position {
    /// `<milliseconds since 1970>:<id>`
    var cursor: String { Cursor.encode("\(createdAt.millisecondsSince1970):\(id)") }

    init?(cursor: String) {
        guard let text = try? Cursor.decode(cursor),
            let colon = text.firstIndex(of: ":"),
            let millis = Int64(text[..<colon]),
            UUID(uuidString: String(text[text.index(after: colon)...])) != nil
        else { return nil }
        self.init(createdAt: Timestamp(millisecondsSince1970: millis), id: String(text[text.index(after: colon)...]))
    }
}
