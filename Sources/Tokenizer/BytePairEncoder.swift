/// Merges the bytes of one piece into tokens, always merging the adjacent pair of lowest rank first and,
/// among equal ranks, the leftmost — tiktoken's order. Short pieces use a flat array; long ones a heap,
/// so a piece of n bytes costs O(n log n), never O(n²).
enum BytePairEncoder {
    static let flatLimit = 96

    static func encode(_ piece: Slice<UnsafeBufferPointer<UInt8>>, ranks: Ranks, into output: inout [UInt32]) {
        if piece.count == 1 {
            output.append(ranks.rank(piece)!)
            return
        }
        if let rank = ranks.rank(piece) {
            output.append(rank)
            return
        }
        if piece.count <= flatLimit {
            flat(piece, ranks: ranks, into: &output)
        } else {
            heap(piece, ranks: ranks, into: &output)
        }
    }

    /// tiktoken's loop: boundaries with the rank of the pair starting at each.
    private static func flat(_ piece: Slice<UnsafeBufferPointer<UInt8>>, ranks: Ranks, into output: inout [UInt32]) {
        let base = piece.startIndex
        let count = piece.count
        // starts[i]: where part i begins; pairRank[i]: rank of parts i and i+1 merged (UInt32.max: none).
        var starts = [Int](unsafeUninitializedCapacity: count + 1) { buffer, initialized in
            for index in 0...count { buffer[index] = base + index }
            initialized = count + 1
        }
        var pairRank = [UInt32](repeating: .max, count: count)
        func rankOf(_ index: Int) -> UInt32 {
            guard index + 2 < starts.count else { return .max }
            return ranks.rank(piece.base[starts[index]..<starts[index + 2]]) ?? .max
        }
        for index in 0..<(count - 1) { pairRank[index] = rankOf(index) }
        while starts.count > 2 {
            var best = UInt32.max
            var bestIndex = -1
            for index in 0..<(starts.count - 2) where pairRank[index] < best {
                best = pairRank[index]
                bestIndex = index
            }
            guard bestIndex >= 0 else { break }
            starts.remove(at: bestIndex + 1)
            pairRank.remove(at: bestIndex + 1)
            pairRank[bestIndex] = rankOf(bestIndex)
            if bestIndex > 0 { pairRank[bestIndex - 1] = rankOf(bestIndex - 1) }
        }
        for index in 0..<(starts.count - 1) {
            output.append(ranks.rank(piece.base[starts[index]..<starts[index + 1]])!)
        }
    }

    /// A linked list of parts and a min-heap of candidate merges keyed by (rank, start); stale candidates
    /// (a part that has since grown or gone) are skipped when popped.
    private static func heap(_ piece: Slice<UnsafeBufferPointer<UInt8>>, ranks: Ranks, into output: inout [UInt32]) {
        let base = piece.startIndex
        let count = piece.count
        var end = (0..<count).map { base + $0 + 1 }  // end[i]: where part starting at byte i ends
        var next = (0..<count).map { $0 + 1 }  // next part's index, count when none
        var previous = (0..<count).map { $0 - 1 }
        var alive = [Bool](repeating: true, count: count)
        var candidates = MinHeap()
        func push(_ left: Int) {
            let right = next[left]
            guard right < count, let rank = ranks.rank(piece.base[(base + left)..<end[right]]) else { return }
            candidates.push(Candidate(rank: rank, left: left, rightEnd: end[right]))
        }
        for index in 0..<(count - 1) { push(index) }
        while let candidate = candidates.pop() {
            let left = candidate.left
            let right = next[left]
            guard alive[left], right < count, end[right] == candidate.rightEnd else { continue }
            // Merge right into left.
            end[left] = end[right]
            alive[right] = false
            next[left] = next[right]
            if next[right] < count { previous[next[right]] = left }
            push(left)
            if previous[left] >= 0 { push(previous[left]) }
        }
        var index = 0
        while index < count {
            output.append(ranks.rank(piece.base[(base + index)..<end[index]])!)
            index = next[index]
        }
    }

    private struct Candidate {
        let rank: UInt32
        let left: Int
        let rightEnd: Int

        func precedes(_ other: Candidate) -> Bool {
            rank != other.rank ? rank < other.rank : left < other.left
        }
    }

    private struct MinHeap {
        private var items: [Candidate] = []

        mutating func push(_ item: Candidate) {
            items.append(item)
            var child = items.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard items[child].precedes(items[parent]) else { break }
                items.swapAt(child, parent)
                child = parent
            }
        }

        mutating func pop() -> Candidate? {
            guard let first = items.first else { return nil }
            let last = items.removeLast()
            if !items.isEmpty {
                items[0] = last
                var parent = 0
                while true {
                    let left = 2 * parent + 1
                    let right = left + 1
                    var smallest = parent
                    if left < items.count, items[left].precedes(items[smallest]) { smallest = left }
                    if right < items.count, items[right].precedes(items[smallest]) { smallest = right }
                    guard smallest != parent else { break }
                    items.swapAt(parent, smallest)
                    parent = smallest
                }
            }
            return first
        }
    }
}
