import Analysis
import Archive
import Experiment
import Network
import TimeSeries

/// The first place where a re-trained run differs from its archived record.
public struct Divergence: Sendable, Equatable, CustomStringConvertible {
    /// What differs: `train RMSE`, `test RMSE`, `loss`, `epoch count`, `final weight #k`, `status`.
    public var quantity: String
    /// The epoch (nil for the final weights or the epoch count).
    public var epoch: Int?
    public var reproduced: Double
    public var archived: Double

    public var description: String {
        let place = epoch.map { "epoch \($0): " } ?? ""
        return "\(place)\(quantity) \(exactDecimal(reproduced)) vs archived \(exactDecimal(archived))"
    }
}

extension Lab {
    /// Re-trains an archived run in memory from its recorded seed, configuration and series, and compares every epoch's
    /// train and test RMSE and loss, and the final weights in its checkpoint, bit for bit. Returns nil when identical.
    public func reproduce(_ run: RunRecord) throws -> Divergence? {
        guard run.status == .finished || run.status == .failed else {
            throw ArchiveError.runNotFinished(runID: run.id!, status: run.status.rawValue)
        }
        let experiment = try store.experiment(id: run.experimentID)
        let configuration = try run.configuration()
        let task = RunTask(experiment: experiment.name, configuration: configuration, repeatIndex: run.repeatIndex,
                           runSeed: UInt64(bitPattern: run.runSeed))
        let trainer = try Trainer(series: try experiment.series(), training: configuration.training)
        let result = try trainer.train(task)
        let archived = try store.curve(runID: run.id!)
        let reproduced = result.finiteCurve
        for (mine, theirs) in zip(reproduced, archived) {
            for (name, value, recorded) in [("train RMSE", mine.trainRMSE, theirs.trainRMSE),
                                            ("test RMSE", mine.testRMSE, theirs.testRMSE),
                                            ("loss", mine.loss, theirs.loss)]
            where value.bitPattern != recorded.bitPattern {
                return Divergence(quantity: name, epoch: mine.epoch, reproduced: value, archived: recorded)
            }
        }
        guard reproduced.count == archived.count else {
            return Divergence(quantity: "epoch count", epoch: nil, reproduced: Double(reproduced.count),
                              archived: Double(archived.count))
        }
        guard run.status == .finished else {
            if case .failed(let epoch, _) = result.outcome, epoch != run.failedEpoch {
                return Divergence(quantity: "failing epoch", epoch: nil, reproduced: Double(epoch),
                                  archived: Double(run.failedEpoch ?? 0))
            }
            return nil
        }
        let checkpoint = try store.loadVerifiedCheckpoint(of: run)
        for (index, (mine, theirs)) in zip(result.finalParameters, checkpoint.finalParameters).enumerated()
        where mine.bitPattern != theirs.bitPattern {
            return Divergence(quantity: "final weight #\(index)", epoch: nil, reproduced: mine, archived: theirs)
        }
        return nil
    }

    /// Reproduces a run by id.
    public func reproduce(runID: Int64) throws -> Divergence? {
        try reproduce(try store.run(id: runID))
    }

    /// The finished runs of an experiment, to reproduce them one by one.
    public func finishedRuns(ofExperiment name: String) throws -> [RunRecord] {
        try store.runs(experimentID: try store.experiment(named: name).id!, status: .finished)
    }
}
