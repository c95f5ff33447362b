import Foundation
import Hummingbird

/// `/api/v1/bots/{botId}/data-sources`: a bot's data sources and their rows.
struct DataSourceController {
    let store: any Store
    /// The time schedules run on (DESIGN.md §7, "Schedules").
    let clock: any TimerClock

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .post(use: create)
            .get(use: list)
            .get("{dataSourceId}", use: get)
            .patch("{dataSourceId}", use: update)
            .delete("{dataSourceId}", use: delete)
            .put("{dataSourceId}/rows", use: replaceRows)
            .post("{dataSourceId}/rows", use: upsertRows)
            .post("{dataSourceId}/files", use: uploadFiles)
            .get("{dataSourceId}/rows", use: listRows)
            .delete("{dataSourceId}/rows/{key}", use: deleteRow)
    }

    struct CreateBody: Decodable {
        let name: String
        let type: String
        let chunkTokens: Double?
        let keyColumn: String?
        let contentColumns: [String]?
        let syncEveryMinutes: Double?
        let sitemapUrl: String?
        let maxPages: Double?
        let include: [String]?
        let exclude: [String]?
    }

    struct UpdateBody: Decodable {
        let name: String?
        let chunkTokens: Double?
        let keyColumn: String?
        let contentColumns: [String]?
        /// Absent: unchanged; null: no schedule.
        let syncEveryMinutes: Double??
        /// Absent: unchanged; null: no sitemap (the rows stay, as a plain url source's).
        let sitemapUrl: String??
        let maxPages: Double?
        let include: [String]?
        let exclude: [String]?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            chunkTokens = try container.decodeIfPresent(Double.self, forKey: .chunkTokens)
            keyColumn = try container.decodeIfPresent(String.self, forKey: .keyColumn)
            contentColumns = try container.decodeIfPresent([String].self, forKey: .contentColumns)
            syncEveryMinutes = try container.decodeClearable(Double.self, forKey: .syncEveryMinutes)
            sitemapUrl = try container.decodeClearable(String.self, forKey: .sitemapUrl)
            maxPages = try container.decodeIfPresent(Double.self, forKey: .maxPages)
            include = try container.decodeIfPresent([String].self, forKey: .include)
            exclude = try container.decodeIfPresent([String].self, forKey: .exclude)
        }

        private enum CodingKeys: String, CodingKey {
            case name, chunkTokens, keyColumn, contentColumns, syncEveryMinutes, sitemapUrl, maxPages, include, exclude
        }
    }

    struct RowsBody: Decodable {
        struct Row: Decodable {
            let key: String
            let title: String?
            let content: String?
            let url: String?
        }
        let rows: [Row]
    }

    struct RowsWritten: ResponseEncodable {
        let written: Int
        let totalDataSourceRows: Int
    }

    @Sendable func create(
        _ request: Request,
        context: AppRequestContext
    ) async throws -> EditedResponse<DataSourceResponse> {
        let workspaceID = try context.requireOwner()
        let botID = try context.parameters.require("botId")
        _ = try await store.bot(id: botID, workspaceID: workspaceID)
        let body = try await request.decodeJSON(as: CreateBody.self, context: context)
        guard let type = DataSourceType(rawValue: body.type) else {
            throw AppError.invalidField("type", "type must be one of text, csv, url, file.")
        }
        var settings = DataSourceSettings(
            name: try Validate.name(body.name),
            type: type,
            chunkTokens: try body.chunkTokens.map(Self.validChunkTokens) ?? DataSource.defaultChunkTokens,
            syncEveryMinutes: try body.syncEveryMinutes.map(Self.validSyncEveryMinutes),
            createdAt: clock.now()
        )
        if let sitemapUrl = body.sitemapUrl {
            guard type == .url else {
                throw AppError.invalidField("sitemapUrl", "Only url data sources have a sitemap.")
            }
            settings.site = try Self.validSite(
                SiteSettings(sitemapUrl: sitemapUrl, maxPages: SiteSettings.defaultMaxPages, include: [], exclude: []),
                maxPages: body.maxPages,
                include: body.include,
                exclude: body.exclude
            )
        } else if let field = Self.siteField(maxPages: body.maxPages, include: body.include, exclude: body.exclude) {
            throw Self.withoutSitemap(field)
        }
        if type == .csv {
            guard let keyColumn = body.keyColumn else {
                throw AppError.invalidField("keyColumn", "A csv data source needs keyColumn.")
            }
            settings.keyColumn = try Self.validColumn(keyColumn, field: "keyColumn")
            settings.contentColumns = try Self.validColumns(body.contentColumns)
        } else if body.keyColumn != nil || body.contentColumns != nil {
            throw AppError.invalidField(
                body.keyColumn != nil ? "keyColumn" : "contentColumns",
                "Only csv data sources have columns."
            )
        }
        let source = try await store.createDataSource(settings, botID: botID, workspaceID: workspaceID)
        return EditedResponse(status: .created, response: DataSourceResponse(source))
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<DataSourceResponse> {
        let workspaceID = try context.requireOwner()
        return try await store.dataSources(
            botID: try context.parameters.require("botId"),
            workspaceID: workspaceID,
            page: request.pageRequest()
        ).map(DataSourceResponse.init)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> DataSourceResponse {
        let (workspaceID, botID, id) = try ids(context)
        return DataSourceResponse(try await store.dataSource(id: id, botID: botID, workspaceID: workspaceID))
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> DataSourceResponse {
        let (workspaceID, botID, id) = try ids(context)
        let current = try await store.dataSource(id: id, botID: botID, workspaceID: workspaceID)
        let body = try await request.decodeJSON(as: UpdateBody.self, context: context)
        let name = try body.name.map { try Validate.name($0) }
        let chunkTokens = try body.chunkTokens.map(Self.validChunkTokens)
        if current.type != .csv, body.keyColumn != nil || body.contentColumns != nil {
            throw AppError.invalidField(
                body.keyColumn != nil ? "keyColumn" : "contentColumns",
                "Only csv data sources have columns."
            )
        }
        let keyColumn = try body.keyColumn.map { try Self.validColumn($0, field: "keyColumn") }
        let contentColumns = try body.contentColumns.map { try Self.validColumns($0) }
        let schedule = try body.syncEveryMinutes.map { try $0.map(Self.validSyncEveryMinutes) }
        let site = try Self.changedSite(of: current, body)
        let now = clock.now()
        let source = try await store.updateDataSource(id: id, botID: botID, workspaceID: workspaceID) { source in
            if let name { source.name = name }
            if let chunkTokens { source.chunkTokens = chunkTokens }
            if let keyColumn { source.keyColumn = keyColumn }
            if let contentColumns { source.contentColumns = contentColumns }
            if let schedule, schedule != source.syncEveryMinutes { source.schedule(everyMinutes: schedule, from: now) }
            if let site { source.site = site }
        }
        return DataSourceResponse(source)
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let (workspaceID, botID, id) = try ids(context)
        try await store.deleteDataSource(id: id, botID: botID, workspaceID: workspaceID)
        return .noContent
    }

    /// `PUT …/rows`: the new row set, whole.
    @Sendable func replaceRows(_ request: Request, context: AppRequestContext) async throws -> RowsWritten {
        try await writeRows(request, context: context, replace: true)
    }

    /// `POST …/rows`: rows to insert or update by key.
    @Sendable func upsertRows(_ request: Request, context: AppRequestContext) async throws -> RowsWritten {
        try await writeRows(request, context: context, replace: false)
    }

    @Sendable func deleteRow(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let (workspaceID, botID, id) = try ids(context)
        let key = try context.parameters.require("key").removingPercentEncoding ?? context.parameters.require("key")
        try await store.deleteRow(key: key, dataSourceID: id, botID: botID, workspaceID: workspaceID)
        return .noContent
    }

    /// Rows in key order; the cursor holds the last key.
    @Sendable func listRows(_ request: Request, context: AppRequestContext) async throws -> Page<RowResponse> {
        let (workspaceID, botID, id) = try ids(context)
        let (limit, afterKey) = try request.pageBounds()
        let (rows, next) = try await store.rows(
            dataSourceID: id,
            botID: botID,
            workspaceID: workspaceID,
            afterKey: afterKey,
            limit: limit
        )
        return Page(data: rows.map(RowResponse.init), nextCursor: next.map(Cursor.encode))
    }

    struct FilesWritten: ResponseEncodable {
        struct File: Encodable {
            let key: String
            let format: FileText.Format
            let title: String
            let characters: Int
        }
        let files: [File]
        let totalDataSourceRows: Int
    }

    /// `POST …/files`: files for a `file` data source, as `multipart/form-data` (any number of file parts) or as
    /// the raw body named by `?name=`. Every file is read before anything is stored: one that cannot be is a 422
    /// naming it, and none of them is kept. Each becomes the row keyed by its name, replacing one of that name.
    @Sendable func uploadFiles(_ request: Request, context: AppRequestContext) async throws -> FilesWritten {
        let (workspaceID, botID, id) = try ids(context)
        let source = try await store.dataSource(id: id, botID: botID, workspaceID: workspaceID)
        guard source.type == .file else {
            throw AppError(
                .conflict,
                code: .wrongDataSourceType,
                message: "Only file data sources take uploads; this one is a \(source.type.rawValue) data source."
            )
        }
        let body = Array(buffer: try await request.collectBody(upTo: FileUploads.requestLimit))
        let uploads = try FileUploads.files(
            in: body,
            contentType: request.headers[.contentType],
            name: request.uri.queryParameters["name"].map(String.init)
        )
        var rows: [RowInput] = []
        var files: [FilesWritten.File] = []
        for upload in uploads {
            let file: FileText
            do {
                file = try FileText(filename: upload.name, bytes: Array(upload.bytes))
            } catch {
                throw AppError(
                    .unprocessableContent,
                    code: .unreadableFile,
                    message: "The file \"\(upload.name)\" \(error.reason)",
                    details: ["file": .string(upload.name)]
                )
            }
            let title = String((file.title ?? upload.name).prefix(RowRules.maximumTitleLength))
            rows.append(RowInput(key: upload.name, title: title, content: file.text, url: nil))
            files.append(.init(key: upload.name, format: file.format, title: title, characters: file.text.count))
        }
        let total = try await store.writeRows(
            rows,
            replace: false,
            dataSourceID: id,
            botID: botID,
            workspaceID: workspaceID
        )
        return FilesWritten(files: files, totalDataSourceRows: total)
    }

    private func writeRows(_ request: Request, context: AppRequestContext, replace: Bool) async throws -> RowsWritten {
        let (workspaceID, botID, id) = try ids(context)
        let source = try await store.dataSource(id: id, botID: botID, workspaceID: workspaceID)
        let rows: [RowInput]
        if source.sitemapUrl != nil {
            throw AppError(
                .conflict,
                code: .wrongDataSourceType,
                message: "The rows of a sitemap source follow its sitemap at each sync; they cannot be written."
            )
        } else if source.type == .file {
            throw AppError(
                .unsupportedMediaType,
                code: .unsupportedMediaType,
                message: "A file data source takes its rows as files, at POST …/files."
            )
        } else if source.type == .csv {
            guard request.hasContentType("text/csv") else {
                throw AppError(
                    .unsupportedMediaType,
                    code: .unsupportedMediaType,
                    message: "A csv data source takes its rows as a text/csv body."
                )
            }
            let buffer = try await request.collectBody(upTo: RowRules.uploadLimit)
            guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
                throw AppError.invalidField("csv", "The CSV is not UTF-8.")
            }
            rows = try CSVRows.parse(
                text,
                keyColumn: source.keyColumn ?? "",
                contentColumns: source.contentColumns ?? []
            )
        } else {
            let body = try await request.decodeJSON(as: RowsBody.self, context: context, limit: RowRules.uploadLimit)
            rows = try Self.validRows(body.rows, type: source.type)
        }
        let total = try await store.writeRows(
            rows,
            replace: replace,
            dataSourceID: id,
            botID: botID,
            workspaceID: workspaceID
        )
        return RowsWritten(written: rows.count, totalDataSourceRows: total)
    }

    private func ids(_ context: AppRequestContext) throws -> (workspaceID: String, botID: String, id: String) {
        (
            try context.requireOwner(), try context.parameters.require("botId"),
            try context.parameters.require("dataSourceId")
        )
    }

    private static func validRows(_ rows: [RowsBody.Row], type: DataSourceType) throws(AppError) -> [RowInput] {
        var seen: [String: Int] = [:]
        var result: [RowInput] = []
        for (index, row) in rows.enumerated() {
            let field = "rows[\(index)]"
            guard (1...RowRules.maximumKeyLength).contains(row.key.count) else {
                throw .invalidField(
                    "\(field).key",
                    "\(field).key must be 1 to \(RowRules.maximumKeyLength) characters."
                )
            }
            if let first = seen[row.key] {
                throw .invalidField("\(field).key", "\(field).key repeats rows[\(first)].key \"\(row.key)\".")
            }
            seen[row.key] = index
            switch type {
            case .text, .csv, .file:
                guard let content = row.content, content.count <= RowRules.maximumContentLength else {
                    throw .invalidField(
                        "\(field).content",
                        "\(field).content is required, at most \(RowRules.maximumContentLength) characters."
                    )
                }
                if let title = row.title, title.count > RowRules.maximumTitleLength {
                    throw .invalidField(
                        "\(field).title",
                        "\(field).title must be at most \(RowRules.maximumTitleLength) characters."
                    )
                }
                result.append(RowInput(key: row.key, title: row.title, content: content, url: nil))
            case .url:
                let url = try Validate.webURL(row.url ?? "", field: "\(field).url")
                result.append(RowInput(key: row.key, title: row.title, content: nil, url: url))
            }
        }
        return result
    }

    private static func validChunkTokens(_ value: Double) throws(AppError) -> Int {
        try Validate.wholeNumber(
            value,
            DataSource.chunkTokensRange,
            field: "chunkTokens"
        )
    }

    /// The site after a PATCH's sitemap fields; nil when they leave it as it is.
    private static func changedSite(of current: DataSource, _ body: UpdateBody) throws(AppError) -> SiteSettings?? {
        let field = siteField(maxPages: body.maxPages, include: body.include, exclude: body.exclude)
        // The field to name in an error: sitemapUrl when given, else the first other sitemap setting.
        guard let named = body.sitemapUrl != nil ? "sitemapUrl" : field else { return nil }
        guard current.type == .url else { throw .invalidField(named, "Only url data sources have a sitemap.") }
        if case .some(.none) = body.sitemapUrl { return .some(nil) }  // cleared
        guard let address = (body.sitemapUrl ?? nil) ?? current.sitemapUrl else {
            throw withoutSitemap(named)
        }
        var site =
            current.site
            ?? SiteSettings(sitemapUrl: address, maxPages: SiteSettings.defaultMaxPages, include: [], exclude: [])
        site.sitemapUrl = address
        return .some(try validSite(site, maxPages: body.maxPages, include: body.include, exclude: body.exclude))
    }

    /// `site` with the given fields changed, each checked.
    private static func validSite(
        _ site: SiteSettings,
        maxPages: Double?,
        include: [String]?,
        exclude: [String]?
    ) throws(AppError) -> SiteSettings {
        var site = site
        site.sitemapUrl = try Validate.webURL(site.sitemapUrl, field: "sitemapUrl")
        if let maxPages {
            site.maxPages = try Validate.wholeNumber(maxPages, SiteSettings.maxPagesRange, field: "maxPages")
        }
        if let include { site.include = try validPrefixes(include, field: "include") }
        if let exclude { site.exclude = try validPrefixes(exclude, field: "exclude") }
        return site
    }

    private static func validPrefixes(_ prefixes: [String], field: String) throws(AppError) -> [String] {
        guard prefixes.count <= 20, prefixes.allSatisfy({ $0.hasPrefix("/") && (1...200).contains($0.count) }) else {
            throw .invalidField(
                field,
                "\(field) must be up to 20 path prefixes, each starting with / (such as /docs/)."
            )
        }
        return prefixes
    }

    /// The first sitemap setting given, for an error that names it; nil when none is.
    private static func siteField(maxPages: Double?, include: [String]?, exclude: [String]?) -> String? {
        maxPages != nil ? "maxPages" : include != nil ? "include" : exclude != nil ? "exclude" : nil
    }

    private static func withoutSitemap(_ field: String) -> AppError {
        .invalidField(field, "\(field) applies only with a sitemapUrl.")
    }

    private static func validSyncEveryMinutes(_ value: Double) throws(AppError) -> Int {
        try Validate.wholeNumber(value, DataSource.syncEveryMinutesRange, field: "syncEveryMinutes")
    }

    private static func validColumn(_ name: String, field: String) throws(AppError) -> String {
        guard (1...200).contains(name.count) else {
            throw .invalidField(field, "\(field) must name a column (1 to 200 characters).")
        }
        return name
    }

    private static func validColumns(_ names: [String]?) throws(AppError) -> [String] {
        guard let names, !names.isEmpty, names.count <= 50 else {
            throw .invalidField("contentColumns", "contentColumns must name 1 to 50 columns.")
        }
        return try names.map { name throws(AppError) in try validColumn(name, field: "contentColumns") }
    }
}
