extension Duration {
    /// The duration as a number of seconds, for printing and for ratios.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var milliseconds: Double { seconds * 1000 }
}
