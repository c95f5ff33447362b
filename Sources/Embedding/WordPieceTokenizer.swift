import Foundation

/// BERT's tokenizer, as the `tokenizers` library runs it for uncased models (`BertNormalizer`,
/// `BertPreTokenizer`, `WordPiece`, then `[CLS] … [SEP]`): the ids a sentence-transformer model reads.
public struct WordPieceTokenizer: Sendable {
    /// Longest input the model takes, `[CLS]` and `[SEP]` included (the model's `max_seq_length`).
    public let maxLength: Int
    /// One more than the largest id.
    public let vocabularySize: Int
    private let ids: [String: Int32]
    private let unknown: Int32
    private let classifier: Int32
    private let separator: Int32

    /// A word longer than this, in characters, is one `[UNK]`.
    private static let longestWord = 100

    /// Reads a `vocab.txt`: one token a line, its id the line's index.
    public init(vocabulary url: URL, maxLength: Int = 256) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        var ids: [String: Int32] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.isEmpty {
            ids[String(line.hasSuffix("\r") ? line.dropLast() : line)] = Int32(index)
        }
        guard let unknown = ids["[UNK]"], let classifier = ids["[CLS]"], let separator = ids["[SEP]"] else {
            throw EmbeddingError.invalidModel("\(url.lastPathComponent) lacks [UNK], [CLS] or [SEP]")
        }
        guard maxLength >= 2 else { throw EmbeddingError.invalidModel("maxLength \(maxLength) leaves no room") }
        (self.ids, self.unknown, self.classifier, self.separator, self.maxLength) =
            (ids, unknown, classifier, separator, maxLength)
        vocabularySize = Int(ids.values.max() ?? 0) + 1
    }

    /// The ids of `text`, between `[CLS]` and `[SEP]`, cut to `maxLength` in all.
    public func encode(_ text: String) -> [Int32] {
        var tokens: [Int32] = [classifier]
        let room = maxLength - 1
        for word in Self.words(of: text) {
            for id in pieces(of: word) {
                guard tokens.count < room else { return tokens + [separator] }
                tokens.append(id)
            }
        }
        return tokens + [separator]
    }

    /// The ids of `segments` read as one text (they split it at white space, so its words are theirs), between
    /// `[CLS]` and `[SEP]` and cut to `maxLength`, with the positions of each segment's ids: empty for a segment
    /// cut off entirely.
    public func encode(segments: [String]) -> (ids: [Int32], ranges: [Range<Int>]) {
        var tokens: [Int32] = [classifier]
        var ranges: [Range<Int>] = []
        let room = maxLength - 1
        for segment in segments {
            let start = tokens.count
            words: for word in Self.words(of: segment) {
                for id in pieces(of: word) {
                    guard tokens.count < room else { break words }
                    tokens.append(id)
                }
            }
            ranges.append(start..<tokens.count)
        }
        return (tokens + [separator], ranges)
    }

    /// Greedy longest-match-first pieces of one word; a word with any part outside the vocabulary is `[UNK]`.
    private func pieces(of word: [Unicode.Scalar]) -> [Int32] {
        guard word.count <= Self.longestWord else { return [unknown] }
        var pieces: [Int32] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int32?
            while start < end {
                var candidate = start > 0 ? "##" : ""
                candidate.unicodeScalars.append(contentsOf: word[start..<end])
                if let id = ids[candidate] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let found else { return [unknown] }
            pieces.append(found)
            start = end
        }
        return pieces
    }

    // MARK: Normalizing and splitting

    /// The words of `text`, normalized (control characters dropped, spaces around CJK ideographs, accents
    /// stripped, lowercased) and split on white space and around each punctuation mark.
    static func words(of text: String) -> [[Unicode.Scalar]] {
        var words: [[Unicode.Scalar]] = []
        var word: [Unicode.Scalar] = []
        func endWord() {
            if !word.isEmpty { words.append(word) }
            word.removeAll(keepingCapacity: true)
        }
        for scalar in normalized(text) {
            if scalar.properties.isWhitespace {
                endWord()
            } else if isPunctuation(scalar) {
                endWord()
                words.append([scalar])
            } else {
                word.append(scalar)
            }
        }
        endWord()
        return words
    }

    /// `BertNormalizer` with `clean_text`, `handle_chinese_chars`, `strip_accents` and `lowercase`, in its order.
    private static func normalized(_ text: String) -> [Unicode.Scalar] {
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value == 0 || scalar.value == 0xFFFD || isControl(scalar) { continue }
            if scalar.properties.isWhitespace {
                cleaned.append(" ")
            } else if isCJKIdeograph(scalar) {
                cleaned.append(contentsOf: [" ", scalar, " "])
            } else {
                cleaned.append(scalar)
            }
        }
        var result: [Unicode.Scalar] = []
        for scalar in String(cleaned).decomposedStringWithCanonicalMapping.unicodeScalars
        where scalar.properties.generalCategory != .nonspacingMark {
            result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
        }
        return result
    }

    /// Other (control, format, surrogate, private use, unassigned), but tab and line ends count as white space.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\t", "\n", "\r": return false
        default:
            switch scalar.properties.generalCategory {
            case .control, .format, .surrogate, .privateUse, .unassigned: return true
            default: return false
            }
        }
    }

    /// ASCII punctuation and symbols (`$`, `+`, `^`, `|`… too), or any Unicode punctuation.
    private static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 33...47, 58...64, 91...96, 123...126: return true
        default:
            switch scalar.properties.generalCategory {
            case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
                .initialPunctuation, .finalPunctuation, .otherPunctuation:
                return true
            default: return false
            }
        }
    }

    /// The CJK Unified Ideographs blocks BERT splits into one token each.
    private static func isCJKIdeograph(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
            0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default: return false
        }
    }
}
