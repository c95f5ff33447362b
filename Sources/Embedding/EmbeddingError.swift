/// A model folder that cannot be used: a file missing, malformed, or not the shape the encoder needs.
public enum EmbeddingError: Error, CustomStringConvertible {
    case invalidModel(String)

    public var description: String {
        switch self {
        case .invalidModel(let reason): "The embedding model cannot be used: \(reason)."
        }
    }
}
