/// Splits UTF-8 text into the pieces that byte-pair encoding works on, exactly as tiktoken's regular
/// expressions do (`openai_public.py`), in one pass over the bytes without a regex engine.
///
/// cl100k_base:
/// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
///
/// o200k_base:
/// `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?`
/// `|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?`
/// `|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`
///
/// Each alternative is tried in order at each position, as the regex engine does; the comments on each
/// method say how its greedy quantifiers and backtracking resolve.
struct Pretokenizer: Sendable {
    enum Pattern: Sendable {
        case cl100k
        case o200k
    }

    let pattern: Pattern
    /// Held so that loading an encoding builds the shared table, not its first use.
    let classTable = CharacterClassTable.shared

    /// Calls `body` with the byte range of each piece, in order.
    func forEachPiece(in text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        classTable.blockStarts.withUnsafeBufferPointer { blockStarts in
            classTable.classes.withUnsafeBufferPointer { classes in
                let scanner = Scanner(text: text, blockStarts: blockStarts, classes: classes)
                var position = 0
                while position < text.count {
                    let end: Int
                    switch pattern {
                    case .cl100k: end = scanner.cl100kPiece(at: position)
                    case .o200k: end = scanner.o200kPiece(at: position)
                    }
                    body(position..<end)
                    position = end
                }
            }
        }
    }
}

/// Reads scalars and their classes from UTF-8 bytes; tiktoken's text is valid UTF-8 (a Swift `String`).
struct Scanner {
    let text: UnsafeBufferPointer<UInt8>
    /// `CharacterClassTable`'s storage.
    let blockStarts: UnsafeBufferPointer<UInt32>
    let classes: UnsafeBufferPointer<UInt16>

    /// The class of the scalar at `index` and the index after it.
    @inline(__always)
    func scalar(at index: Int) -> (CharacterClass, next: Int, value: UInt32) {
        let lead = text[index]
        var value: UInt32
        var length: Int
        if lead < 0x80 {
            value = UInt32(lead)
            length = 1
        } else if lead < 0xE0 {
            value = UInt32(lead & 0x1F) << 6 | UInt32(text[index + 1] & 0x3F)
            length = 2
        } else if lead < 0xF0 {
            value = UInt32(lead & 0x0F) << 12 | UInt32(text[index + 1] & 0x3F) << 6 | UInt32(text[index + 2] & 0x3F)
            length = 3
        } else {
            value =
                UInt32(lead & 0x07) << 18 | UInt32(text[index + 1] & 0x3F) << 12 | UInt32(text[index + 2] & 0x3F) << 6
                | UInt32(text[index + 3] & 0x3F)
            length = 4
        }
        let rawClass = classes[Int(blockStarts[Int(value >> 8)]) + Int(value & 0xFF)]
        return (CharacterClass(rawValue: rawClass), index + length, value)
    }

    /// The end of the run of scalars from `index` whose classes meet `set`.
    @inline(__always)
    func run(from index: Int, in set: CharacterClass) -> Int {
        var position = index
        while position < text.count {
            let (cls, next, _) = scalar(at: position)
            guard !cls.isDisjoint(with: set) else { break }
            position = next
        }
        return position
    }

    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)` at `index`: its end, or nil. Case-insensitive by Unicode simple case
    /// folding, under which U+017F (long s) is an s and U+212A (Kelvin) a k.
    func contraction(at index: Int) -> Int? {
        guard index < text.count, text[index] == UInt8(ascii: "'") else { return nil }
        func letter(at position: Int) -> (Character, Int)? {
            guard position < text.count else { return nil }
            let (_, next, value) = scalar(at: position)
            switch value {
            case 0x17F: return ("s", next)
            case 0x41...0x5A: return (Character(Unicode.Scalar(value + 0x20)!), next)
            case 0x61...0x7A: return (Character(Unicode.Scalar(value)!), next)
            default: return nil
            }
        }
        guard let (first, afterFirst) = letter(at: index + 1) else { return nil }
        switch first {
        case "s", "t", "m", "d": return afterFirst
        case "r", "v":
            if let (second, end) = letter(at: afterFirst), second == "e" { return end }
        case "l":
            if let (second, end) = letter(at: afterFirst), second == "l" { return end }
        default: break
        }
        return nil
    }

    /// `[^\r\n\p{L}\p{N}]`: the optional one-character prefix of letter pieces. Its end, or nil.
    @inline(__always)
    func prefix(at index: Int) -> Int? {
        let (cls, next, _) = scalar(at: index)
        return cls.isDisjoint(with: [.newline, .letter, .number]) ? next : nil
    }

    // MARK: Shared alternatives

    /// `\p{N}{1,3}`
    func numbers(at index: Int) -> Int? {
        var position = index
        for _ in 0..<3 {
            guard position < text.count else { break }
            let (cls, next, _) = scalar(at: position)
            guard cls.contains(.number) else { break }
            position = next
        }
        return position > index ? position : nil
    }

    /// ` ?[^\s\p{L}\p{N}]+[\r\n]*` (with `/` among the trailing characters for o200k).
    func punctuation(at index: Int, trailing: CharacterClass) -> Int? {
        let symbol: (CharacterClass) -> Bool = { $0.isDisjoint(with: [.whitespace, .letter, .number]) }
        var start = index
        if text[index] == 0x20, index + 1 < text.count, symbol(scalar(at: index + 1).0) { start = index + 1 }
        var position = start
        while position < text.count {
            let (cls, next, _) = scalar(at: position)
            guard symbol(cls) else { break }
            position = next
        }
        guard position > start else { return nil }
        while position < text.count, !scalar(at: position).0.isDisjoint(with: trailing) {
            position = scalar(at: position).next
        }
        return position
    }

    /// `\s*[\r\n]+|\s+(?!\S)|\s+` at a whitespace character.
    ///
    /// `\s*[\r\n]+` backtracks to the last newline of the whitespace run and ends after it. Failing that,
    /// `\s+(?!\S)` takes the run, less its last character when a non-space follows (if that leaves any);
    /// else `\s+` takes the run.
    func whitespace(at index: Int) -> Int? {
        var position = index
        var afterLastNewline: Int?
        var lastStart = index
        while position < text.count {
            let (cls, next, _) = scalar(at: position)
            guard cls.contains(.whitespace) else { break }
            if cls.contains(.newline) { afterLastNewline = next }
            lastStart = position
            position = next
        }
        guard position > index else { return nil }
        if let afterLastNewline { return afterLastNewline }
        if position == text.count { return position }
        return lastStart > index ? lastStart : position
    }

    // MARK: cl100k_base

    func cl100kPiece(at index: Int) -> Int {
        if let end = contraction(at: index) { return end }
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if let afterPrefix = prefix(at: index), afterPrefix < text.count,
            scalar(at: afterPrefix).0.isDisjoint(with: .letter) == false
        {
            return run(from: afterPrefix, in: .letter)
        }
        if scalar(at: index).0.isDisjoint(with: .letter) == false { return run(from: index, in: .letter) }
        if let end = numbers(at: index) { return end }
        if let end = punctuation(at: index, trailing: .newline) { return end }
        if let end = whitespace(at: index) { return end }
        return scalar(at: index).next  // unreachable: every character is covered above
    }

    // MARK: o200k_base

    func o200kPiece(at index: Int) -> Int {
        // Both letter alternatives, each with the prefix first taken, then given back.
        let afterPrefix = prefix(at: index)
        if let start = afterPrefix, start < text.count, let end = upperThenLower(at: start) {
            return contraction(at: end) ?? end
        }
        if let end = upperThenLower(at: index) { return contraction(at: end) ?? end }
        if let start = afterPrefix, start < text.count, let end = upperRunThenLower(at: start) {
            return contraction(at: end) ?? end
        }
        if let end = upperRunThenLower(at: index) { return contraction(at: end) ?? end }
        if let end = numbers(at: index) { return end }
        if let end = punctuation(at: index, trailing: [.newline, .slash]) { return end }
        if let end = whitespace(at: index) { return end }
        return scalar(at: index).next
    }

    /// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+`: the upper run is greedy, then gives back
    /// characters one by one until a lower run can start; that run is then as long as it goes. The lower run
    /// can start right after the upper run (at an Ll), or else at the last character of the upper run that is
    /// in both sets (Lm, Lo, M); giving back further than that never helps.
    func upperThenLower(at index: Int) -> Int? {
        var position = index
        var lastInBoth: Int?
        while position < text.count {
            let (cls, next, _) = scalar(at: position)
            guard !cls.isDisjoint(with: .upperish) else { break }
            if !cls.isDisjoint(with: .upperAndLowerish) { lastInBoth = position }
            position = next
        }
        if position < text.count, !scalar(at: position).0.isDisjoint(with: .lowerish) {
            return run(from: position, in: .lowerish)
        }
        return lastInBoth.map { run(from: $0, in: .lowerish) }
    }

    /// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*`
    func upperRunThenLower(at index: Int) -> Int? {
        let afterUpper = run(from: index, in: .upperish)
        guard afterUpper > index else { return nil }
        return run(from: afterUpper, in: .lowerish)
    }
}
