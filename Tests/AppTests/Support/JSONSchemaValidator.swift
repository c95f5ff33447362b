import Foundation

@testable import App

/// Checks a JSON value against a JSON Schema, for the keywords the hook catalogue's schemas use: `type` (one or
/// several), `const`, `enum`, `required`, `properties`, `items`, `minimum`, `maximum`, `format: date-time`. Answers every
/// violation with its path; a keyword it does not know is itself a violation, so a schema cannot silently outgrow it.
enum JSONSchemaValidator {
    static let keywords: Set<String> = [
        "type", "const", "enum", "required", "properties", "items", "minimum", "maximum", "format",
        "description",
    ]

    static func violations(of value: JSONValue, against schema: JSONValue, at path: String = "$") -> [String] {
        guard case .object(let rules) = schema else { return ["\(path): the schema is not an object"] }
        var found = rules.keys.filter { !keywords.contains($0) }.map { "\(path): unknown keyword \($0)" }
        if let types = rules["type"] {
            let allowed = types.array?.compactMap(\.string) ?? [types.string ?? ""]
            if !allowed.contains(where: { matches(value, type: $0) }) {
                found.append("\(path): \(value) is not of type \(allowed.joined(separator: " or "))")
            }
        }
        if let constant = rules["const"], value != constant { found.append("\(path): \(value) is not \(constant)") }
        if let choices = rules["enum"]?.array, !choices.contains(value) {
            found.append("\(path): \(value) is not one of \(choices)")
        }
        if let minimum = rules["minimum"]?.double, let number = value.double, number < minimum {
            found.append("\(path): \(number) is below \(minimum)")
        }
        if let maximum = rules["maximum"]?.double, let number = value.double, number > maximum {
            found.append("\(path): \(number) is above \(maximum)")
        }
        if rules["format"]?.string == "date-time", let text = value.string, Timestamp(iso8601: text) == nil {
            found.append("\(path): \(text) is not a date-time")
        }
        if case .object(let fields) = value {
            for name in rules["required"]?.array?.compactMap(\.string) ?? [] where fields[name] == nil {
                found.append("\(path): \(name) is required")
            }
            for (name, property) in rules["properties"]?.object ?? [:] {
                if let field = fields[name] { found += violations(of: field, against: property, at: "\(path).\(name)") }
            }
        }
        if case .array(let elements) = value, let items = rules["items"] {
            for (index, element) in elements.enumerated() {
                found += violations(of: element, against: items, at: "\(path)[\(index)]")
            }
        }
        return found
    }

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string), ("array", .array),
            ("object", .object):
            return true
        case ("integer", .number(let number)):
            return number.rounded() == number
        default:
            return false
        }
    }
}
