/// Merges the bytes of one piece into tokens, always merging the adjacent pair of lowest rank first and,
/// among equal ranks, the leftmost — tiktoken's order. Short pieces use a flat array; long ones a heap,
/// so a piece of n bytes costs O(n log n), never O(n²).
enum BytePairEncoder {
    static let flatLimit = 16

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

    /// tiktoken's loop: boundaries with the rank of the pair starting at each, in stack memory.
    private static func flat(_ piece: Slice<UnsafeBufferPointer<UInt8>>, ranks: Ranks, into output: inout [UInt32]) {
        let text = piece.base
        let count = piece.count
        withUnsafeTemporaryAllocation(of: Int.self, capacity: count + 1) { starts in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: count + 1) { pairRank in
                // starts[i]: where part i begins; pairRank[i]: rank of parts i and i+1 merged (.max: none).
                var boundaries = count + 1
                for index in 0...count { starts[index] = piece.startIndex + index }
                func rankOf(_ index: Int) -> UInt32 {
                    guard index + 2 < boundaries else { return .max }
                    return ranks.rank(text[starts[index]..<starts[index + 2]]) ?? .max
                }
                for index in 0...count { pairRank[index] = rankOf(index) }
                while boundaries > 2 {
                    var best = UInt32.max
                    var bestIndex = -1
                    for index in 0..<(boundaries - 2) where pairRank[index] < best {
                        best = pairRank[index]
                        bestIndex = index
                    }
                    guard bestIndex >= 0 else { break }
                    // Part bestIndex + 1 joins part bestIndex: its boundary and pair rank go.
                    for index in (bestIndex + 1)..<(boundaries - 1) {
                        starts[index] = starts[index + 1]
                        pairRank[index] = pairRank[index + 1]
                    }
                    boundaries -= 1
                    pairRank[bestIndex] = rankOf(bestIndex)
                    if bestIndex > 0 { pairRank[bestIndex - 1] = rankOf(bestIndex - 1) }
                }
                for index in 0..<(boundaries - 1) {
                    output.append(ranks.rank(text[starts[index]..<starts[index + 1]])!)
                }
            }
        }
    }

    /// A linked list of parts and a min-heap of candidate merges keyed by (rank, start), all in stack memory;
    /// stale candidates (a part that has since grown or gone) are skipped when popped.
    private static func heap(_ piece: Slice<UnsafeBufferPointer<UInt8>>, ranks: Ranks, into output: inout [UInt32]) {
        let text = piece.base
        let base = piece.startIndex
        let count = piece.count
        // Three lists of `count` in one allocation: end[i] is where the part starting at byte i ends (-1 once it
        // has joined the part before it); next[i] and previous[i] are its neighbours' indices.
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * count) { links in
            // count - 1 candidates to start with, at most two more per merge, at most count - 1 merges.
            withUnsafeTemporaryAllocation(of: Candidate.self, capacity: 3 * count) { storage in
                let end = UnsafeMutableBufferPointer(rebasing: links[0..<count])
                let next = UnsafeMutableBufferPointer(rebasing: links[count..<(2 * count)])
                let previous = UnsafeMutableBufferPointer(rebasing: links[(2 * count)...])
                for index in 0..<count {
                    end[index] = base + index + 1
                    next[index] = index + 1
                    previous[index] = index - 1
                }
                var candidates = MinHeap(storage: storage)
                func push(_ left: Int) {
                    let right = next[left]
                    guard right < count, let rank = ranks.rank(text[(base + left)..<end[right]]) else { return }
                    candidates.push(Candidate(rank: rank, left: left, rightEnd: end[right]))
                }
                for index in 0..<(count - 1) { push(index) }
                while let candidate = candidates.pop() {
                    let left = candidate.left
                    let right = next[left]
                    guard end[left] >= 0, right < count, end[right] == candidate.rightEnd else { continue }
                    // Merge right into left.
                    end[left] = end[right]
                    end[right] = -1
                    next[left] = next[right]
                    if next[right] < count { previous[next[right]] = left }
                    push(left)
                    if previous[left] >= 0 { push(previous[left]) }
                }
                var index = 0
                while index < count {
                    output.append(ranks.rank(text[(base + index)..<end[index]])!)
                    index = next[index]
                }
            }
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

    /// A binary min-heap in storage its caller owns.
    private struct MinHeap {
        let storage: UnsafeMutableBufferPointer<Candidate>
        private var count = 0

        init(storage: UnsafeMutableBufferPointer<Candidate>) {
            self.storage = storage
        }

        mutating func push(_ item: Candidate) {
            storage.initializeElement(at: count, to: item)
            var child = count
            count += 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard storage[child].precedes(storage[parent]) else { break }
                storage.swapAt(child, parent)
                child = parent
            }
        }

        mutating func pop() -> Candidate? {
            guard count > 0 else { return nil }
            let first = storage[0]
            count -= 1
            guard count > 0 else { return first }
            storage[0] = storage[count]
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < count, storage[left].precedes(storage[smallest]) { smallest = left }
                if right < count, storage[right].precedes(storage[smallest]) { smallest = right }
                guard smallest != parent else { break }
                storage.swapAt(parent, smallest)
                parent = smallest
            }
            return first
        }
    }
}
