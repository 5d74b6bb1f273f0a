import Analysis
import Archive
import Experiment
import NeuralNetwork
import TimeSeries

/// The first place where a re-trained run differs from its archived record.
public struct Divergence: Sendable, Equatable, CustomStringConvertible {
    /// What differs: `train RMSE`, `test RMSE`, `loss`, `epoch count`, `final weight #k`, `status`.
    public var quantity: String
    /// The epoch (nil for the final weights or the epoch count).
    public var epoch: Int?
    public var reproduced: Double
    public var archived: Double

    /// |reproduced − archived| (∞ when either is not a number).
    public var magnitude: Double {
        let difference = abs(reproduced - archived)
        return difference.isNaN ? .infinity : difference
    }

    public var description: String {
        let place = epoch.map { "epoch \($0): " } ?? ""
        return "\(place)\(quantity) \(exactDecimal(reproduced)) vs archived \(exactDecimal(archived))"
    }
}

/// What re-training an archived run showed.
public enum Reproduction: Sendable, Equatable {
    /// Every compared value has the same bits.
    case identical
    /// The first value that differs (the run was trained by this numerics version, so any difference is one).
    case diverges(Divergence)
    /// The run was trained by another numerics version, whose last bits differ by design: the largest deviation
    /// found (nil when there was none).
    case otherNumerics(recorded: Int, largestDeviation: Divergence?)

    /// Whether the run reproduced as it should: bit for bit, or within another numerics version.
    public var isConsistent: Bool {
        if case .diverges = self { return false }
        return true
    }
}

extension Lab {
    /// Re-trains an archived run in memory from its recorded seed, configuration and series, and compares, bit for
    /// bit, every epoch's train and test RMSE and loss, the epoch count (and failing epoch), the recorded final
    /// scores and test forecasts, and its checkpoint's contents: final and initial weights, every weight snapshot,
    /// Adam's state and the scaler. A run recorded by another numerics version is compared too, but reported with its
    /// largest deviation rather than as a divergence.
    public func reproduce(_ run: RunRecord) throws -> Reproduction {
        guard run.status == .finished || run.status == .failed else {
            throw ArchiveError.runNotFinished(runID: run.id!, status: run.status.rawValue)
        }
        let experiment = try store.experiment(id: run.experimentID)
        let configuration = try run.configuration()
        let task = RunTask(experiment: experiment.name, configuration: configuration, repeatIndex: run.repeatIndex,
                           runSeed: UInt64(bitPattern: run.runSeed))
        // The checkpoint first: its snapshots say at which interval the run kept them.
        let checkpoint = run.status == .finished ? try store.loadVerifiedCheckpoint(of: run) : nil
        let trainer = try Trainer(series: try experiment.series(), training: configuration.training,
                                  snapshotInterval: checkpoint?.snapshots.first?.epoch)
        let result = try trainer.train(task)
        var compared: [Divergence] = []
        let archived = try store.curve(runID: run.id!)
        let reproduced = result.finiteCurve
        for (mine, theirs) in zip(reproduced, archived) {
            compared.append(Divergence(quantity: "train RMSE", epoch: mine.epoch, reproduced: mine.trainRMSE, archived: theirs.trainRMSE))
            compared.append(Divergence(quantity: "test RMSE", epoch: mine.epoch, reproduced: mine.testRMSE, archived: theirs.testRMSE))
            compared.append(Divergence(quantity: "loss", epoch: mine.epoch, reproduced: mine.loss, archived: theirs.loss))
        }
        compared.append(Divergence(quantity: "epoch count", epoch: nil, reproduced: Double(reproduced.count),
                                   archived: Double(archived.count)))
        if run.status == .failed {
            var failedEpoch = Double.nan
            if case .failed(let epoch, _) = result.outcome { failedEpoch = Double(epoch) }
            compared.append(Divergence(quantity: "failing epoch", epoch: nil, reproduced: failedEpoch,
                                       archived: Double(run.failedEpoch ?? 0)))
        } else {
            compared.append(Divergence(quantity: "final train RMSE", epoch: nil, reproduced: result.finalTrainRMSE ?? .nan,
                                       archived: run.finalTrainRMSE ?? .nan))
            compared.append(Divergence(quantity: "final test RMSE", epoch: nil, reproduced: result.finalTestRMSE ?? .nan,
                                       archived: run.finalTestRMSE ?? .nan))
            let forecasts = try store.forecasts(runID: run.id!)
            compared.append(Divergence(quantity: "forecast count", epoch: nil, reproduced: Double(result.testForecasts.count),
                                       archived: Double(forecasts.count)))
            for (index, (mine, theirs)) in zip(result.testForecasts, forecasts).enumerated() {
                compared.append(Divergence(quantity: "forecast of \(theirs.month) (step \(index + 1))", epoch: nil,
                                           reproduced: mine, archived: theirs.forecast))
                compared.append(Divergence(quantity: "observed value of \(theirs.month) (step \(index + 1))", epoch: nil,
                                           reproduced: result.testObserved[index], archived: theirs.observed))
            }
            if let checkpoint { compared += Self.checkpointValues(result, against: checkpoint) }
        }
        let differences = compared.filter { $0.reproduced.bitPattern != $0.archived.bitPattern }
        guard run.numericsVersion == numericsVersion else {
            return .otherNumerics(recorded: run.numericsVersion,
                                  largestDeviation: differences.max { $0.magnitude < $1.magnitude })
        }
        return differences.first.map(Reproduction.diverges) ?? .identical
    }

    /// A re-trained run's checkpoint contents beside the archived checkpoint's, value by value: final weights, initial
    /// weights, the snapshots (their epochs, then their weights), Adam's step and moments, the scaler.
    static func checkpointValues(_ result: RunResult, against checkpoint: Checkpoint) -> [Divergence] {
        var compared: [Divergence] = []
        func pairs(_ quantity: String, _ mine: [Double], _ theirs: [Double], epoch: Int? = nil) {
            compared.append(Divergence(quantity: "\(quantity) count", epoch: epoch, reproduced: Double(mine.count),
                                       archived: Double(theirs.count)))
            for (index, (x, y)) in zip(mine, theirs).enumerated() {
                compared.append(Divergence(quantity: "\(quantity) #\(index)", epoch: epoch, reproduced: x, archived: y))
            }
        }
        pairs("final weight", result.finalParameters, checkpoint.finalParameters)
        pairs("initial weight", result.initialParameters, checkpoint.initialParameters)
        pairs("snapshot epoch", result.snapshots.map { Double($0.epoch) }, checkpoint.snapshots.map { Double($0.epoch) })
        for (mine, theirs) in zip(result.snapshots, checkpoint.snapshots) {
            pairs("snapshot weight", mine.parameters, theirs.parameters, epoch: theirs.epoch)
        }
        compared.append(Divergence(quantity: "Adam step", epoch: nil, reproduced: Double(result.adamState.step),
                                   archived: Double(checkpoint.adamState.step)))
        pairs("Adam first moment", result.adamState.firstMoment, checkpoint.adamState.firstMoment)
        pairs("Adam second moment", result.adamState.secondMoment, checkpoint.adamState.secondMoment)
        let scaler = { (s: MinMaxScaler) in s.minimums + s.maximums + s.scales + s.offsets }
        pairs("scaler value", scaler(result.scaler), scaler(checkpoint.scaler))
        return compared
    }

    /// Reproduces a run by id.
    public func reproduce(runID: Int64) throws -> Reproduction {
        try reproduce(try store.run(id: runID))
    }

    /// The finished runs of an experiment, to reproduce them one by one.
    public func finishedRuns(ofExperiment name: String) throws -> [RunRecord] {
        try store.runs(experimentID: try store.experiment(named: name).id!, status: .finished)
    }
}
