/// Thrown by `Trainer` when its `shouldCancel` says so between two epochs: the runs it was training are abandoned,
/// unfinished, and nothing of them is returned.
public struct TrainingCancelled: Error, Equatable, CustomStringConvertible {
    public init() {}

    public var description: String { "training cancelled" }
}
