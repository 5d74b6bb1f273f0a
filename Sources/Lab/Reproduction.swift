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

    /// The archived runs `selection` names: one run (an unknown id is `ArchiveError.unknownRun`), or every finished
    /// run of an experiment (none is `ReproductionError.nothingToReproduce`).
    public func runsToReproduce(_ selection: ReproductionSelection) throws -> [RunRecord] {
        switch selection {
        case .run(let id):
            return [try store.run(id: id)]
        case .experiment(let name):
            let runs = try finishedRuns(ofExperiment: name)
            guard !runs.isEmpty else { throw ReproductionError.nothingToReproduce(experiment: name) }
            return runs
        }
    }

    /// Reproduces `runs` one by one (`reproduce(_:)`), handing each outcome to `onEach` as it comes; a run that cannot
    /// be re-trained or compared (e.g. its checkpoint is gone) does not stop the others.
    public func reproduce(_ runs: [RunRecord], onEach: (ReproducedRun) -> Void) -> ReproductionReport {
        var report = ReproductionReport(runs: runs.count, divergent: 0, otherNumerics: 0)
        for record in runs {
            let outcome = Result { try reproduce(record) }
            switch outcome {
            case .success(.identical): break
            case .success(.otherNumerics): report.otherNumerics += 1
            case .success(.diverges), .failure: report.divergent += 1
            }
            onEach(ReproducedRun(runID: record.id ?? 0, outcome: outcome))
        }
        return report
    }
}

/// Which archived runs `reproduce` re-trains.
public enum ReproductionSelection: Sendable, Equatable {
    case run(Int64)
    /// Every finished run of the experiment of this name.
    case experiment(String)
}

/// One reproduced run: what re-training showed, or why it could not be re-trained or compared.
public struct ReproducedRun {
    public var runID: Int64
    public var outcome: Result<Reproduction, any Error>
}

/// What reproducing runs showed, counted.
public struct ReproductionReport: Sendable, Equatable {
    /// The runs reproduced.
    public var runs: Int
    /// Runs that diverge from the archive or could not be reproduced.
    public var divergent: Int
    /// Runs of another numerics version, compared by their largest deviation.
    public var otherNumerics: Int
}

/// Errors of `reproduce` a user can cause; one line each.
public enum ReproductionError: Error, Equatable, CustomStringConvertible {
    case nothingToReproduce(experiment: String)

    public var description: String {
        switch self {
        case .nothingToReproduce(let name):
            "experiment '\(oneLine(name))' has no finished run to reproduce, so nothing was compared "
                + "(see `lstmlab runs --experiment \(oneLine(name))`)"
        }
    }
}
