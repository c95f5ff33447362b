import GRDB

/// Owner keys: a workspace's named `sk_…` keys, kept as hashes. The plaintext of a new or rotated key exists
/// only in the answer that creates it.
extension SQLiteStore {
    func ownerKeys(workspaceID: String) async throws -> [APIKey] {
        try await pool.read { db in
            try APIKey.filter(APIKey.Columns.workspaceId == workspaceID)
                .order(APIKey.Columns.createdAt, APIKey.Columns.id)
                .fetchAll(db)
        }
    }

    func createOwnerKey(workspaceID: String, name: String) async throws -> (APIKey, Credential) {
        try await pool.write { db in
            try APIKey.checkRoomForAnother(APIKey.filter(APIKey.Columns.workspaceId == workspaceID).fetchCount(db))
            let credential = Credential.generate(.ownerKey)
            let key = APIKey.new(workspaceID: workspaceID, name: name, credential: credential)
            try key.insert(db)
            return (key, credential)
        }
    }

    func rotateOwnerKey(id: String, workspaceID: String) async throws -> (APIKey, Credential) {
        try await pool.write { db in
            guard var key = try Self.ownerKey(id: id, workspaceID: workspaceID, db) else {
                throw AppError.notFound("Key")
            }
            let credential = Credential.generate(.ownerKey)
            key.tokenHash = credential.hash
            try key.update(db)
            return (key, credential)
        }
    }

    func deleteOwnerKey(id: String, workspaceID: String) async throws {
        try await pool.write { db in
            guard let key = try Self.ownerKey(id: id, workspaceID: workspaceID, db) else {
                throw AppError.notFound("Key")
            }
            try APIKey.checkNotLast(APIKey.filter(APIKey.Columns.workspaceId == workspaceID).fetchCount(db))
            try key.delete(db)
        }
    }

    private static func ownerKey(id: String, workspaceID: String, _ db: Database) throws -> APIKey? {
        try APIKey.filter(APIKey.Columns.id == id && APIKey.Columns.workspaceId == workspaceID).fetchOne(db)
    }
}
