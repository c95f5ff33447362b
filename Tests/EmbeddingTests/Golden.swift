import Foundation
import Testing

/// The model folder fetched by `scripts/setup.sh`.
let modelFolder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("data/embedding/all-MiniLM-L6-v2")

/// A text and what the reference implementation makes of it, from a file in Golden/ (written by the scripts
/// beside it).
protocol GoldenCase: Decodable, CustomTestStringConvertible {
    var text: String { get }
}

extension GoldenCase {
    var testDescription: String { String(text.prefix(40)).debugDescription }

    static func load(_ name: String) -> [Self] {
        let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Golden")!
        return try! JSONDecoder().decode([Self].self, from: Data(contentsOf: url))
    }
}
