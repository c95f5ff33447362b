import Foundation

/// Field rules shared by request bodies; each throws `422 invalid_field` naming the field.
enum Validate {
    /// Trims surrounding whitespace and checks the length in characters.
    static func name(_ value: String, field: String = "name", maxLength: Int = 200) throws(AppError) -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...maxLength).contains(trimmed.count) else {
            throw .invalidField(field, "\(field) must be 1 to \(maxLength) characters long.")
        }
        return trimmed
    }

    /// An `http://` or `https://` URL with a host, at most 2,048 bytes.
    static func webURL(_ value: String, field: String) throws(AppError) -> String {
        guard value.utf8.count <= 2048, let parsed = URL(string: value),
            ["http", "https"].contains(parsed.scheme?.lowercased()), parsed.host?.isEmpty == false
        else {
            throw .invalidField(field, "\(field) must be an http:// or https:// URL.")
        }
        return value
    }

    /// A practical address check: one `@`, a non-empty local part, a dotted domain, no spaces, ≤ 254 bytes.
    static func email(_ value: String, field: String = "email") throws(AppError) -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard trimmed.utf8.count <= 254, parts.count == 2,
            !parts[0].isEmpty, parts[0].count <= 64,
            parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."), !parts[1].contains(".."),
            !trimmed.contains(where: { $0.isWhitespace || $0.isNewline })
        else {
            throw .invalidField(field, "\(field) must be an email address like name@example.com.")
        }
        return trimmed
    }

    static func wholeNumber(_ value: Double, _ bounds: ClosedRange<Int>, field: String) throws(AppError) -> Int {
        guard value.rounded() == value, value >= Double(bounds.lowerBound), value <= Double(bounds.upperBound) else {
            throw .invalidField(
                field,
                "\(field) must be a whole number from \(bounds.lowerBound) to \(bounds.upperBound)."
            )
        }
        return Int(value)
    }
}
