/// Character classes, as bits: what the pretokenizer's patterns distinguish.
struct CharacterClass: OptionSet, Sendable {
    let rawValue: UInt16

    static let upper = CharacterClass(rawValue: 1 << 0)  // Lu, Lt
    static let lower = CharacterClass(rawValue: 1 << 1)  // Ll
    static let otherLetter = CharacterClass(rawValue: 1 << 2)  // Lm, Lo
    static let mark = CharacterClass(rawValue: 1 << 3)  // M
    static let number = CharacterClass(rawValue: 1 << 4)  // N
    static let whitespace = CharacterClass(rawValue: 1 << 5)  // White_Space, as the regex crate's \s
    static let newline = CharacterClass(rawValue: 1 << 6)  // \r \n
    static let space = CharacterClass(rawValue: 1 << 7)  // U+0020
    static let apostrophe = CharacterClass(rawValue: 1 << 8)
    static let slash = CharacterClass(rawValue: 1 << 9)

    static let letter: CharacterClass = [.upper, .lower, .otherLetter]
    /// o200k's `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`
    static let upperish: CharacterClass = [.upper, .otherLetter, .mark]
    /// o200k's `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`
    static let lowerish: CharacterClass = [.lower, .otherLetter, .mark]
    /// In both of o200k's letter sets.
    static let upperAndLowerish: CharacterClass = [.otherLetter, .mark]

    /// The class of one scalar, from the toolchain's Unicode data. Slow (a property lookup): the pretokenizer
    /// reads `CharacterClassTable` instead, which is built from this.
    static func of(_ scalar: Unicode.Scalar) -> CharacterClass {
        switch scalar.value {
        case 0x0A, 0x0D: return [.whitespace, .newline]
        case 0x20: return [.whitespace, .space]
        case 0x27: return .apostrophe
        case 0x2F: return .slash
        default: break
        }
        let properties = scalar.properties
        var result: CharacterClass = properties.isWhitespace ? .whitespace : []
        switch properties.generalCategory {
        case .uppercaseLetter, .titlecaseLetter: result.insert(.upper)
        case .lowercaseLetter: result.insert(.lower)
        case .modifierLetter, .otherLetter: result.insert(.otherLetter)
        case .nonspacingMark, .spacingMark, .enclosingMark: result.insert(.mark)
        case .decimalNumber, .letterNumber, .otherNumber: result.insert(.number)
        default: break
        }
        return result
    }
}

/// The class of every code point, looked up in two steps: the code point's block of 256 (most blocks are
/// alike — unassigned, CJK ideographs, private use — and are stored once), then its place in the block.
/// About 70 KB, built once per process (~130 ms) and shared by every encoding.
struct CharacterClassTable: Sendable {
    static let shared = CharacterClassTable()

    /// For each block (code point >> 8), where its 256 classes start in `classes`.
    let blockStarts: [UInt32]
    let classes: [UInt16]

    private init() {
        var blockStarts: [UInt32] = []
        var classes: [UInt16] = []
        var seen: [[UInt16]: UInt32] = [:]
        blockStarts.reserveCapacity(0x1100)
        for block in 0..<UInt32(0x1100) {
            let values = (0..<UInt32(256)).map { offset in
                Unicode.Scalar(block << 8 | offset).map { CharacterClass.of($0).rawValue } ?? 0  // surrogates
            }
            if let start = seen[values] {
                blockStarts.append(start)
            } else {
                let start = UInt32(classes.count)
                seen[values] = start
                blockStarts.append(start)
                classes.append(contentsOf: values)
            }
        }
        self.blockStarts = blockStarts
        self.classes = classes
    }
}
