/// The words of a visitor's question that are worth searching for: lowercased, without the words every
/// question has ("how", "do", "the"…), each quoted so nothing in a question is read as FTS5 syntax.
struct SearchTerms: Sendable, Equatable {
    /// At most this many words are searched: a pasted essay is not a better question.
    static let limit = 32

    let words: [String]

    init(_ text: String) {
        var seen = Set<String>()
        var words: [String] = []
        var word = ""
        func flush() {
            defer { word = "" }
            guard word.count > 1 || word.first?.isNumber == true, !Self.stopWords.contains(word),
                seen.insert(word).inserted, words.count < Self.limit
            else { return }
            words.append(word)
        }
        for character in text.lowercased() {
            if character.isLetter || character.isNumber {
                word.append(character)
            } else if character == "'" || character == "’" {
                flush()  // "what's" → "what" and "s", both dropped
            } else {
                flush()
            }
        }
        flush()
        self.words = words
    }

    var isEmpty: Bool { words.isEmpty }

    /// A word as an FTS5 string: in double quotes, with inner quotes doubled.
    static func quoted(_ word: String) -> String { "\"\(word.replacingOccurrences(of: "\"", with: "\"\""))\"" }

    /// Any of the words: bm25 then ranks documents by how many, how rare and how often.
    var anyWordQuery: String { words.map(Self.quoted).joined(separator: " OR ") }

    static let stopWords: Set<String> = [
        "a", "about", "am", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can", "could", "did",
        "do", "does", "for", "from", "get", "got", "had", "has", "have", "hello", "hey", "hi", "how", "i", "if", "in",
        "into", "is", "it", "its", "me", "my", "of", "on", "or", "our", "please", "s", "should", "so", "t", "than",
        "thanks", "that", "the", "their", "them", "then", "there", "these", "they", "this", "to", "us", "was", "we",
        "were", "what", "when", "where", "which", "who", "why", "will", "with", "would", "you", "your",
    ]
}
