import Foundation
import Testing

@testable import App

/// `file` data sources: uploads read by real parsers (DESIGN.md §7, "Files").
@Suite struct FileSourceTests {
    static func fileSource(_ api: API, _ app: TestApp) async throws -> Source {
        let bot = try await api.createBot(name: "Manuals bot", key: app.ownerKey)["id"]!.string!
        let reply = try await api.post(
            "/api/v1/bots/\(bot)/data-sources",
            key: app.ownerKey,
            json: #"{"name": "Manuals", "type": "file", "chunkTokens": 256}"#
        )
        #expect(reply.status == .created, "\(reply.text)")
        return Source(bot: bot, id: try reply.json["id"]!.string!)
    }

    static func upload(
        _ api: API,
        _ app: TestApp,
        _ source: Source,
        _ files: [(name: String, bytes: [UInt8])]
    )
        async throws -> API.Reply
    {
        let (body, contentType) = FileFixtures.multipart(files)
        return try await api.send(
            .post,
            "\(source.base)/files",
            key: app.ownerKey,
            bytes: body,
            contentType: contentType
        )
    }

    static func rows(_ api: API, _ app: TestApp, _ source: Source) async throws -> [JSONValue] {
        try await api.get("\(source.base)/rows", key: app.ownerKey).json["data"]?.array ?? []
    }

    @Test func eachSupportedTypeBecomesARowOfItsTextThatSyncs() async throws {
        let app = try await TestApp()
        try await app.run { api in
            // Given a file data source
            let source = try await Self.fileSource(api, app)
            // When the owner uploads one file of each type in one form
            let reply = try await Self.upload(
                api,
                app,
                source,
                [
                    ("notes.txt", Array("Grüße aus Köln. 你好，世界。こんにちは。".utf8)),
                    ("guide.md", Array("# Setup\n\nRun **make run** and open the console.".utf8)),
                    (
                        "page.html",
                        Array(
                            "<html><head><title>Opening hours</title><script>x()</script></head><body><p>We open at 9&nbsp;am.</p></body></html>"
                                .utf8
                        )
                    ),
                    ("manual.pdf", FileFixtures.pdf(pages: ["Chapter one: unpacking.", "Chapter two: first start."])),
                    (
                        "letter.docx",
                        try FileFixtures.docx(paragraphs: ["Dear customer,", "Item\tPrice", "Thank you & goodbye."])
                    ),
                ]
            )
            // Then each is a row keyed by its name, in its format, with its text
            #expect(reply.status == .ok, "\(reply.text)")
            let files = try #require(try reply.json["files"]?.array)
            #expect(files.map { $0["format"]?.string } == ["text", "markdown", "html", "pdf", "docx"])
            #expect(try reply.json["totalDataSourceRows"]?.int == 5)
            let rows = Dictionary(
                uniqueKeysWithValues: try await Self.rows(api, app, source).map { ($0["key"]!.string!, $0) }
            )
            #expect(rows["notes.txt"]?["content"]?.string == "Grüße aus Köln. 你好，世界。こんにちは。")
            #expect(rows["guide.md"]?["content"]?.string == "# Setup\n\nRun **make run** and open the console.")
            #expect(rows["page.html"]?["title"]?.string == "Opening hours")
            #expect(rows["page.html"]?["content"]?.string == "We open at 9 am.")
            let manual = try #require(rows["manual.pdf"]?["content"]?.string)
            #expect(manual.contains("Chapter one: unpacking.") && manual.contains("Chapter two: first start."))
            #expect(manual.range(of: "unpacking")!.lowerBound < manual.range(of: "first start")!.lowerBound)
            #expect(rows["letter.docx"]?["content"]?.string == "Dear customer,\nItem\tPrice\nThank you & goodbye.")
            #expect(rows["letter.docx"]?["title"]?.string == "letter.docx")
            // And a sync turns them into documents like any other rows
            let synced = try await Fixtures.sync(api, app, source)
            #expect(synced["status"]?.string == "succeeded")
            #expect(synced["results"]?["modifiedRows"]?.int == 5)
            let documents = try await Fixtures.documents(api, app, source)
            #expect(Set(documents.compactMap { $0["rowKey"]?.string }) == Set(rows.keys))
        }
    }

    @Test func aRawBodyNamedByTheQueryIsOneFileAndTheSameNameReplacesIt() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let source = try await Self.fileSource(api, app)
            // When a PDF is sent as the body, named by ?name=, then again with new text
            for text in ["First edition.", "Second edition."] {
                let reply = try await api.send(
                    .post,
                    "\(source.base)/files?name=handbook.pdf",
                    key: app.ownerKey,
                    bytes: FileFixtures.pdf(pages: [text]),
                    contentType: "application/pdf"
                )
                #expect(reply.status == .ok, "\(reply.text)")
            }
            // Then there is one row, with the second text
            let rows = try await Self.rows(api, app, source)
            #expect(rows.count == 1)
            #expect(rows.first?["key"]?.string == "handbook.pdf")
            #expect(rows.first?["content"]?.string?.contains("Second edition.") == true)
        }
    }

    @Test(arguments: [
        ("encrypted.pdf", "is encrypted"),
        ("encrypted.docx", "is encrypted"),
        ("broken.pdf", "is not a readable PDF file"),
        ("broken.docx", "is not a readable Word (.docx) file"),
        ("spreadsheet.docx", "has no word/document.xml"),
        ("photo.png", "is not a supported type"),
        ("latin1.txt", "is not UTF-8 text"),
        ("blank.pdf", "has no text to read"),
    ])
    func anUnreadableFileIsRefusedNamingItAndNothingOfTheUploadIsStored(name: String, reason: String) async throws {
        let bytes: [UInt8] =
            switch name {
            case "encrypted.pdf", "encrypted.docx": try FileFixtures.committed(name)
            case "broken.pdf": Array(FileFixtures.pdf(pages: ["Cut short."]).prefix(200))
            case "broken.docx": Array("This is not a zip archive.".utf8)
            case "spreadsheet.docx": try FileFixtures.docx(paragraphs: [], documentPart: false)
            case "latin1.txt": [0x43, 0x61, 0x66, 0xE9]  // "Café" in Latin-1
            case "blank.pdf": FileFixtures.pdf(pages: [""])
            default: [0x89, 0x50, 0x4E, 0x47]
            }
        let app = try await TestApp()
        try await app.run { api in
            let source = try await Self.fileSource(api, app)
            // When the file comes with a good one in the same form
            let reply = try await Self.upload(
                api,
                app,
                source,
                [("good.txt", Array("Readable.".utf8)), (name, bytes)]
            )
            // Then the answer is 422 naming the file and why
            #expect(reply.status == .unprocessableContent, "\(reply.text)")
            #expect(reply.errorCode == "unreadable_file")
            let error = try reply.json["error"]
            #expect(error?["details"]?["file"]?.string == name)
            let message = error?["message"]?.string ?? ""
            #expect(message.contains("\"\(name)\"") && message.contains(reason), "\(message)")
            // And neither file was stored
            #expect(try await Self.rows(api, app, source).isEmpty)
        }
    }

    @Test func uploadsGoToFileSourcesOnlyWhichTakeNoJSONRows() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let files = try await Self.fileSource(api, app)
            let text = try await Fixtures.textSource(api, app)
            // A text data source takes no files
            let wrongSource = try await Self.upload(api, app, text, [("a.txt", Array("A".utf8))])
            #expect(
                wrongSource.status == .conflict && wrongSource.errorCode == "wrong_data_source_type",
                "\(wrongSource.text)"
            )
            // A file data source takes no JSON rows
            let json = try await api.request(.put, "\(files.base)/rows", key: app.ownerKey, body: #"{"rows": []}"#)
            #expect(json.status == .unsupportedMediaType)
            // A raw body needs its name; a form needs a file part; a file over 20 MiB is refused
            let unnamed = try await api.send(
                .post,
                "\(files.base)/files",
                key: app.ownerKey,
                bytes: Array("A".utf8),
                contentType: "text/plain"
            )
            #expect(unnamed.status == .badRequest && unnamed.errorCode == "invalid_parameter")
            let (empty, formType) = FileFixtures.multipart([])
            let noFile = try await api.send(
                .post,
                "\(files.base)/files",
                key: app.ownerKey,
                bytes: empty,
                contentType: formType
            )
            #expect(noFile.status == .unprocessableContent || noFile.status == .badRequest, "\(noFile.text)")
            let huge = try await Self.upload(api, app, files, [("huge.txt", [UInt8](repeating: 0x61, count: 21 << 20))])
            let hugeMessage = try huge.json["error"]?["message"]?.string ?? ""
            #expect(huge.status == .unprocessableContent && hugeMessage.contains("20 MiB"), "\(hugeMessage)")
            #expect(try await Self.rows(api, app, files).isEmpty)
        }
    }
}
