import CSV

/// Rows from an uploaded CSV (RFC 4180, header row, UTF-8 with or without BOM), parsed by CSV.swift:
/// each row's key is its `keyColumn` value, its content the `contentColumns` values, one per line.
enum CSVRows {
    static func parse(_ text: String, keyColumn: String, contentColumns: [String]) throws(AppError) -> [RowInput] {
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let reader: CSVReader
        do {
            reader = try CSVReader(string: body, hasHeaderRow: true)
        } catch {
            throw .invalidField("csv", "The CSV has no header row.")
        }
        let header = reader.headerRow ?? []
        guard let keyIndex = header.firstIndex(of: keyColumn) else {
            throw .invalidField("keyColumn", "The CSV's header has no column \"\(keyColumn)\" (keyColumn).")
        }
        var contentIndices: [Int] = []
        for column in contentColumns {
            guard let index = header.firstIndex(of: column) else {
                throw .invalidField("contentColumns", "The CSV's header has no column \"\(column)\" (contentColumns).")
            }
            contentIndices.append(index)
        }
        var rows: [RowInput] = []
        var seen: [String: Int] = [:]
        var line = 1
        while let fields = reader.next() {
            line += 1
            if fields.count == 1, fields[0].isEmpty { continue }  // a blank line
            let key = keyIndex < fields.count ? fields[keyIndex] : ""
            guard (1...RowRules.maximumKeyLength).contains(key.count) else {
                throw .invalidRow(line, "Row \(line) has no value in the key column \"\(keyColumn)\".")
            }
            if let first = seen[key] {
                throw .invalidRow(line, "Rows \(first) and \(line) have the same key \"\(key)\".")
            }
            seen[key] = line
            let content = contentIndices.map { $0 < fields.count ? fields[$0] : "" }.joined(separator: "\n")
            rows.append(RowInput(key: key, title: nil, content: content, url: nil))
        }
        if let error = reader.error {
            throw .invalidField("csv", "The CSV could not be read near row \(line + 1): \(error).")
        }
        return rows
    }
}

/// Limits every row of every type keeps to.
enum RowRules {
    static let maximumKeyLength = 200
    static let maximumTitleLength = 500
    static let maximumContentLength = 1_000_000
    /// Row uploads may be larger than other bodies (DESIGN.md §8).
    static let uploadLimit = 10 << 20
}

extension AppError {
    /// 422 for one line of an uploaded CSV.
    static func invalidRow(_ line: Int, _ message: String) -> AppError {
        AppError(
            .unprocessableContent,
            code: .invalidField,
            message: message,
            details: ["field": .string("csv"), "row": .number(Double(line))]
        )
    }
}
