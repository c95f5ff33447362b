import Tokenizer

/// The encodings a workspace may count storage tokens with, loaded once at start.
struct TokenEncodings: Sendable {
    let cl100k: Encoding
    let o200k: Encoding

    /// Loads both rank files, checking each against its published SHA-256.
    static func load(from directory: String) throws -> TokenEncodings {
        TokenEncodings(
            cl100k: try Encoding.load(.cl100kBase, from: directory),
            o200k: try Encoding.load(.o200kBase, from: directory)
        )
    }

    subscript(name: Encoding.Name) -> Encoding {
        switch name {
        case .cl100kBase: cl100k
        case .o200kBase: o200k
        }
    }
}

extension TokenEncodings: CustomStringConvertible {
    /// Keeps logs (and service lifecycle's reflection of services) from printing the rank tables.
    var description: String { "TokenEncodings" }
}
