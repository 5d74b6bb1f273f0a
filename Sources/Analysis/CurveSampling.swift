/// Which epochs of a curve to send: a range, then every k-th epoch, thinned further to at most a number of points.
/// The first and last epochs of the range are always kept, so a downsampled curve spans the same epochs.
public struct EpochSampling: Sendable, Equatable {
    /// First and last epoch kept (inclusive); nil for the curve's own ends.
    public var from: Int?
    public var to: Int?
    /// Keep every this many epochs (1: all).
    public var every: Int
    /// At most this many points per curve; nil for no limit.
    public var maxPoints: Int?

    public init(from: Int? = nil, to: Int? = nil, every: Int = 1, maxPoints: Int? = nil) {
        self.from = from
        self.to = to
        self.every = every
        self.maxPoints = maxPoints
    }

    /// Indices into `epochs` (ascending epoch numbers) of the points kept: those in [from, to], every `stride`-th
    /// from the first, where the stride is the larger of `every` and ⌈count / maxPoints⌉ (maxPoints ≥ 2), plus the
    /// last one in the range.
    public func indices(of epochs: [Int]) -> [Int] {
        let lower = from ?? Int.min, upper = to ?? Int.max
        guard let first = epochs.firstIndex(where: { $0 >= lower }),
              let last = epochs.lastIndex(where: { $0 <= upper }), first <= last else { return [] }
        let count = last - first + 1
        var stride = max(1, every)
        if let maxPoints, maxPoints >= 2, count > maxPoints {
            // count − 1 steps shared by maxPoints − 1 gaps, so that with the last point added there are ≤ maxPoints.
            stride = max(stride, (count - 1 + maxPoints - 2) / (maxPoints - 1))
        }
        var kept = Array(Swift.stride(from: first, through: last, by: stride))
        if kept.last != last { kept.append(last) }
        if let maxPoints, kept.count > maxPoints { kept.remove(at: kept.count - 2) }
        return kept
    }
}

extension Array {
    /// The elements at `indices`.
    public func picking(_ indices: [Int]) -> [Element] { indices.map { self[$0] } }
}
