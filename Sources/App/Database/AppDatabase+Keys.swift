import GRDB

/// Owner keys: a workspace's named `sk_…` keys, kept as hashes. The plaintext of a new or rotated key exists
/// only in the answer that creates it.
extension AppDatabase {
    func ownerKeys(workspaceID: String) async throws -> [APIKey] {
        try await pool.read { db in
            try APIKey.filter(APIKey.Columns.workspaceId == workspaceID)
                .order(APIKey.Columns.createdAt, APIKey.Columns.id)
                .fetchAll(db)
        }
    }

    /// A new key named `name`; 409 when the workspace already holds `APIKey.perWorkspace`.
    func createOwnerKey(workspaceID: String, name: String) async throws -> (APIKey, Credential) {
        try await pool.write { db in
            guard try APIKey.filter(APIKey.Columns.workspaceId == workspaceID).fetchCount(db) < APIKey.perWorkspace
            else {
                throw AppError(
                    .conflict,
                    code: .keyLimit,
                    message: "A workspace holds at most \(APIKey.perWorkspace) keys: delete one first."
                )
            }
            let credential = Credential.generate(.ownerKey)
            let key = APIKey(
                id: newID(),
                workspaceId: workspaceID,
                name: name,
                tokenHash: credential.hash,
                createdAt: .now()
            )
            try key.insert(db)
            return (key, credential)
        }
    }

    /// Gives key `id` a new secret: the old one stops working as this commits.
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

    /// Deletes key `id`; 409 for the workspace's last key, which would lock its owner out.
    func deleteOwnerKey(id: String, workspaceID: String) async throws {
        try await pool.write { db in
            guard let key = try Self.ownerKey(id: id, workspaceID: workspaceID, db) else {
                throw AppError.notFound("Key")
            }
            guard try APIKey.filter(APIKey.Columns.workspaceId == workspaceID).fetchCount(db) > 1 else {
                throw AppError(
                    .conflict,
                    code: .lastKey,
                    message: "This is the workspace's last key: create another before deleting it."
                )
            }
            try key.delete(db)
        }
    }

    private static func ownerKey(id: String, workspaceID: String, _ db: Database) throws -> APIKey? {
        try APIKey.filter(APIKey.Columns.id == id && APIKey.Columns.workspaceId == workspaceID).fetchOne(db)
    }
}
