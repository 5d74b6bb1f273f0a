import Experiment
import Foundation

/// How two archives compare: the experiments and runs they hold, and the first difference, if any.
public struct ArchiveComparison: Sendable, Equatable {
    public var experiments: Int
    public var runs: Int
    /// Finished runs whose checkpoints were compared.
    public var checkpoints: Int
    /// The first difference, in the order experiments (by name), then runs (by configuration, repeat, seed); nil
    /// when the archives hold the same results.
    public var firstDifference: String?
}

extension ArchiveStore {
    /// Compares two archives' results, ids, timestamps, hosts and other provenance aside: the same experiments (the
    /// same specification, and series of the same labels and values, whatever their name or file), the same runs by identity, and for each run the same status, numerics
    /// version, curve (every epoch's train and test RMSE and loss, bit for bit), scores and forecasts; for a finished
    /// run, the same checkpoint contents (weights, initial weights, snapshots, Adam's state, scaler), each checked
    /// first against its recorded SHA-256.
    public static func compare(_ a: ArchiveStore, _ b: ArchiveStore) throws -> ArchiveComparison {
        let left = try a.storedRuns(), right = try b.storedRuns()
        var comparison = ArchiveComparison(experiments: left.experiments.count, runs: left.runs.count, checkpoints: 0)
        func differ(_ text: String) -> ArchiveComparison {
            var result = comparison
            result.firstDifference = text
            return result
        }
        let leftExperiments = Dictionary(uniqueKeysWithValues: left.experiments.map { ($0.name, $0) })
        let rightExperiments = Dictionary(uniqueKeysWithValues: right.experiments.map { ($0.name, $0) })
        for name in Set(leftExperiments.keys).union(rightExperiments.keys).sorted() {
            guard let x = leftExperiments[name], let y = rightExperiments[name] else {
                return differ("experiment \(name) is only in \(leftExperiments[name] == nil ? b.path : a.path)")
            }
            if x.specJSON != y.specJSON { return differ("experiment \(name) has different specifications") }
            // The same values under another name or file are the same series, as `run` and `merge` take them.
            let (xSeries, ySeries) = (try x.series(), try y.series())
            if xSeries.values != ySeries.values || xSeries.labels != ySeries.labels {
                return differ("experiment \(name) was trained on different series (\(xSeries.name) in \(a.path), "
                              + "\(ySeries.name) in \(b.path))")
            }
            if x.seedDerivation != y.seedDerivation { return differ("experiment \(name) derives its run seeds differently") }
        }
        for identity in Set(left.runs.keys).union(right.runs.keys).sorted() {
            guard let x = left.runs[identity], let y = right.runs[identity] else {
                return differ("run \(identity) is only in \(left.runs[identity] == nil ? b.path : a.path)")
            }
            if let difference = x.firstDifference(from: y) {
                return differ("run \(identity) (run \(x.record.id!) against run \(y.record.id!)): \(difference)")
            }
            guard x.record.status == .finished else { continue }
            let first = try a.loadVerifiedCheckpoint(of: x.record), second = try b.loadVerifiedCheckpoint(of: y.record)
            if let difference = first.firstDifference(from: second) {
                return differ("run \(identity) (run \(x.record.id!) against run \(y.record.id!)): checkpoint \(difference)")
            }
            comparison.checkpoints += 1
        }
        return comparison
    }
}

extension Checkpoint {
    /// The first way two checkpoints' contents differ, run id and lstmlab version aside; nil when the same bits.
    func firstDifference(from other: Checkpoint) -> String? {
        func bits(_ values: [Double]) -> [UInt64] { values.map(\.bitPattern) }
        if runSeed != other.runSeed { return "seeds \(runSeed) against \(other.runSeed)" }
        if experiment != other.experiment || configuration != other.configuration { return "configurations differ" }
        if epochs != other.epochs { return "\(epochs) epochs against \(other.epochs)" }
        if numericsVersion != other.numericsVersion { return "numerics version \(numericsVersion) against \(other.numericsVersion)" }
        if bits(finalParameters) != bits(other.finalParameters) { return "final weights differ" }
        if bits(initialParameters) != bits(other.initialParameters) { return "initial weights differ" }
        if snapshots.map(\.epoch) != other.snapshots.map(\.epoch) { return "snapshot epochs differ" }
        for (x, y) in zip(snapshots, other.snapshots) where bits(x.parameters) != bits(y.parameters) {
            return "weights at epoch \(x.epoch) differ"
        }
        if adamState.step != other.adamState.step || bits(adamState.firstMoment) != bits(other.adamState.firstMoment)
            || bits(adamState.secondMoment) != bits(other.adamState.secondMoment) {
            return "Adam's state differs"
        }
        if bits(scaler.minimums + scaler.maximums + scaler.scales + scaler.offsets)
            != bits(other.scaler.minimums + other.scaler.maximums + other.scaler.scales + other.scaler.offsets) {
            return "scalers differ"
        }
        return nil
    }
}
