/// One of `count` disjoint parts of an experiment's runs, for training on several machines at once (e.g. the tasks
/// of a Slurm job array), each part into its own archive, joined afterwards by `lstmlab merge`.
///
/// Run `i` of an experiment (in the order of `ExperimentSpec.runs`: configuration by configuration, repeat by
/// repeat) belongs to shard `i mod count`: every run is in exactly one shard, shards differ in size by at most one
/// run, and each holds a share of every configuration. A run's seed and result never depend on its shard.
public struct Shard: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// From 0 to `count - 1`.
    public let index: Int
    public let count: Int

    /// The largest shard count accepted.
    public static let maximumCount = 100_000

    public init(index: Int, count: Int) throws {
        guard (1...Self.maximumCount).contains(count) else {
            throw ExperimentError.invalidValue(name: "shard count", value: "\(count)", allowed: "1 to \(Self.maximumCount)")
        }
        guard (0..<count).contains(index) else {
            throw ExperimentError.invalidValue(name: "shard", value: "\(index)/\(count)", allowed: "0/\(count) to \(count - 1)/\(count)")
        }
        self.index = index
        self.count = count
    }

    /// Parses `K/N`, e.g. `3/8`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let plain = parts.allSatisfy { !$0.isEmpty && $0.count <= 9 && $0.allSatisfy { ("0"..."9").contains($0) } }
        guard parts.count == 2, plain, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw ExperimentError.invalidValue(name: "shard", value: text, allowed: "K/N with 0 ≤ K < N, e.g. 0/4")
        }
        try self.init(index: index, count: count)
    }

    public var description: String { "\(index)/\(count)" }

    /// Whether the run at this position of the experiment's runs belongs to the shard.
    public func contains(runPosition position: Int) -> Bool { position % count == index }

    /// The shard's runs of an experiment, in order.
    public func runs(of spec: ExperimentSpec) -> [RunTask] {
        spec.runs.enumerated().filter { contains(runPosition: $0.offset) }.map(\.element)
    }
}
