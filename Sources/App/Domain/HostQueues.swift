/// Which page to fetch next when at most `perHost` of one host may be fetched at once: each host's pages in
/// order, hosts taking turns.
struct HostQueues: Sendable {
    let perHost: Int
    private var waiting: [String: [Int]] = [:]
    private var hosts: [String] = []
    private var inFlight: [String: Int] = [:]
    private var turn = 0

    /// `hosts[i]`: the host of page `i`.
    init(hosts pageHosts: [String], perHost: Int) {
        self.perHost = perHost
        for (index, host) in pageHosts.enumerated() {
            if waiting[host] == nil { hosts.append(host) }
            waiting[host, default: []].append(index)
        }
        for host in hosts { waiting[host]!.reverse() }  // popped from the end, in order
    }

    /// The next page whose host has room, marked as in flight; nil when none has.
    mutating func next() -> Int? {
        for offset in 0..<hosts.count {
            let host = hosts[(turn + offset) % hosts.count]
            guard inFlight[host, default: 0] < perHost, let index = waiting[host]?.popLast() else { continue }
            inFlight[host, default: 0] += 1
            turn = (turn + offset + 1) % hosts.count
            return index
        }
        return nil
    }

    /// Page `index` of `host` is done: its host has room again.
    mutating func finished(host: String) {
        inFlight[host, default: 1] -= 1
    }
}
