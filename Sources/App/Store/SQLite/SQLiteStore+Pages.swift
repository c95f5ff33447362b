import Foundation
import GRDB

extension SQLiteStore {
    /// One page of `request` in (createdAt, id) order, starting after the cursor's position.
    static func page<Record: Listed & AppRecord>(
        _ request: QueryInterfaceRequest<Record>,
        _ page: PageRequest,
        _ db: Database
    ) throws -> Page<Record> {
        let createdAt = Column("createdAt")
        let id = Column("id")
        var request = request
        if let after = page.after {
            request = request.filter(createdAt > after.createdAt || (createdAt == after.createdAt && id > after.id))
        }
        let rows = try request.order(createdAt, id).limit(page.limit + 1).fetchAll(db)
        let data = Array(rows.prefix(page.limit))
        let next =
            rows.count > page.limit ? data.last.map { PageRequest.Position(createdAt: $0.createdAt, id: $0.id) } : nil
        return Page(data: data, nextCursor: next?.cursor)
    }
}
