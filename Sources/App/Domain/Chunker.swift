import Tokenizer

/// Splits a row's text into documents of at most `limit` tokens, cutting at paragraph breaks if it can,
/// then at sentence ends, then between characters; joined back, the documents are the text, byte for byte.
/// Each document's count is the tokenizer's count of that document's own text. `limit` must be at least 4
/// (`Chunker.minimumLimit`), the most tokens one Unicode scalar can take.
struct Chunker: Sendable {
    static let minimumLimit = 4

    let encoding: Encoding
    let limit: Int

    struct Chunk: Sendable, Equatable {
        let text: String
        let tokens: Int
    }

    func chunks(of text: String) -> [Chunk] {
        guard !text.isEmpty else { return [] }
        var chunks: [Chunk] = []
        pack(Self.paragraphs(of: text), level: .paragraph, into: &chunks)
        return chunks
    }

    private enum Level { case paragraph, sentence }

    /// Greedily joins consecutive pieces while the joined text stays within the limit; a piece too large on
    /// its own is split at the next level down.
    private func pack(_ pieces: [Substring], level: Level, into chunks: inout [Chunk]) {
        var current = ""
        var currentTokens = 0
        func flush() {
            if !current.isEmpty { chunks.append(Chunk(text: current, tokens: currentTokens)) }
            current = ""
            currentTokens = 0
        }
        for piece in pieces {
            let joined = current + piece
            let joinedTokens = encoding.count(joined)
            if joinedTokens <= limit {
                current = joined
                currentTokens = joinedTokens
                continue
            }
            flush()
            let pieceTokens = encoding.count(String(piece))
            if pieceTokens <= limit {
                current = String(piece)
                currentTokens = pieceTokens
            } else if level == .paragraph {
                pack(Self.sentences(of: piece), level: .sentence, into: &chunks)
            } else {
                splitByTokens(piece, into: &chunks)
            }
        }
        flush()
    }

    /// The longest prefix within the limit, found by bisection over Unicode scalars (a single emoji can be a
    /// cluster of many tokens, so characters are too coarse), again and again. A scalar is at most 4 bytes,
    /// hence at most 4 tokens: any limit of 4 or more can always be met.
    private func splitByTokens(_ text: Substring, into chunks: inout [Chunk]) {
        var rest = text.unicodeScalars[...]
        while !rest.isEmpty {
            let whole = encoding.count(String(rest))
            if whole <= limit {
                chunks.append(Chunk(text: String(rest), tokens: whole))
                return
            }
            var low = 2
            var high = rest.count
            var best = (end: rest.index(after: rest.startIndex), tokens: encoding.count(String(rest.prefix(1))))
            while low <= high {
                let middle = (low + high) / 2
                let end = rest.index(rest.startIndex, offsetBy: middle)
                let tokens = encoding.count(String(rest[..<end]))
                if tokens <= limit {
                    best = (end, tokens)
                    low = middle + 1
                } else {
                    high = middle - 1
                }
            }
            chunks.append(Chunk(text: String(rest[..<best.end]), tokens: best.tokens))
            rest = rest[best.end...]
        }
    }

    /// Paragraphs, each keeping the blank lines that follow it.
    static func paragraphs(of text: String) -> [Substring] {
        split(text[...]) { text, index in
            // A paragraph ends after a run of two or more line breaks.
            guard text[index].isNewline else { return nil }
            var end = index
            var breaks = 0
            while end < text.endIndex, text[end].isWhitespace {
                if text[end].isNewline { breaks += 1 }
                end = text.index(after: end)
            }
            return breaks >= 2 ? end : nil
        }
    }

    /// Sentences, each keeping the whitespace that follows its end mark.
    static func sentences(of text: Substring) -> [Substring] {
        split(text) { text, index in
            guard ".!?。！？".contains(text[index]) else { return nil }
            var end = text.index(after: index)
            guard end < text.endIndex, text[end].isWhitespace else { return nil }
            while end < text.endIndex, text[end].isWhitespace { end = text.index(after: end) }
            return end
        }
    }

    /// Cuts `text` wherever `boundary` names the end of a piece.
    private static func split(_ text: Substring, boundary: (Substring, String.Index) -> String.Index?) -> [Substring] {
        var pieces: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            if let end = boundary(text, index), end < text.endIndex {
                pieces.append(text[start..<end])
                start = end
                index = end
            } else {
                index = text.index(after: index)
            }
        }
        if start < text.endIndex { pieces.append(text[start...]) }
        return pieces
    }
}
