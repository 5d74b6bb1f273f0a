import Crypto
import Experiment
import Foundation
import Network
import TimeSeries

/// One run's weights and training state, as stored in its HDF5 file.
///
/// Layout (SPEC §6): root attributes `layer_names` = [b"lstm", b"dense"], `backend`, `keras_version`; groups
/// `lstm` and `dense` with attribute `weight_names`, and a dataset at each of those paths inside the group
/// (`lstm/lstm/lstm_cell/kernel` (lag, 4u), `…/recurrent_kernel` (u, 4u), `…/bias` (4u), `dense/dense/kernel`
/// (u, 1), `dense/dense/bias` (1)) — what Keras 3 `model.load_weights(path)` reads. Beside it, ignored by Keras,
/// the group `lstmlab`: attributes `run_id`, `run_seed`, `experiment`, `configuration_label`, `configuration`
/// (JSON), `epochs`, `product_version`; datasets `initial_weights` (P), `snapshots` (n, P) with
/// `snapshot_epochs` (n), `adam/m` and `adam/v` (P) with attribute `adam/step`, and `scaler/{minimums,
/// maximums, scales, offsets}`. Flat weight vectors follow `ParameterLayout` (kernel, recurrent kernel, bias,
/// Dense kernel, Dense bias).
public struct Checkpoint: Sendable, Equatable {
    public var runID: Int64
    public var runSeed: UInt64
    public var experiment: String
    public var configuration: RunConfiguration
    public var epochs: Int
    public var finalParameters: [Double]
    public var initialParameters: [Double]
    public var snapshots: [WeightSnapshot]
    public var adamState: AdamState
    public var scaler: MinMaxScaler

    public init(runID: Int64, result: RunResult) {
        self.runID = runID
        runSeed = result.task.runSeed
        experiment = result.task.experiment
        configuration = result.task.configuration
        epochs = result.curve.count
        finalParameters = result.finalParameters
        initialParameters = result.initialParameters
        snapshots = result.snapshots
        adamState = result.adamState
        scaler = result.scaler
    }

    /// The name a checkpoint file has while it is written: `.<name>.<pid>.tmp` beside it.
    static func temporaryName(of name: String) -> String {
        ".\(name).\(ProcessInfo.processInfo.processIdentifier).tmp"
    }

    /// Whether `candidate` is a temporary name of the checkpoint `name`, written by any process.
    static func isTemporaryName(_ candidate: String, of name: String) -> Bool {
        candidate.hasPrefix(".\(name).") && candidate.hasSuffix(".tmp")
    }

    /// The Keras version whose legacy HDF5 weight layout this follows.
    public static let kerasLayoutVersion = "3.15.1"

    public var shape: NetworkShape { NetworkShape(lag: configuration.training.lag, units: configuration.training.units) }

    /// The weights after `epoch` (the final weights for the last epoch); nil when no snapshot was kept for it.
    public func parameters(atEpoch epoch: Int?) -> [Double]? {
        guard let epoch, epoch != epochs else { return finalParameters }
        return snapshots.first { $0.epoch == epoch }?.parameters
    }

    /// Writes the file to a temporary name beside `path`, then renames it into place, so a reader never sees a
    /// partial file. Returns the SHA-256 (hex) of the written file.
    @discardableResult
    public func write(to path: String) throws -> String {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(Self.temporaryName(of: url.lastPathComponent)).path
        do {
            try writeHDF5File(at: temporary) { file in try writeContents(file) }
            let digest = try sha256Hex(ofFileAt: temporary)
            guard rename(temporary, path) == 0 else {
                throw ArchiveError.io("cannot move checkpoint into place at \(path)")
            }
            return digest
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    private func writeContents(_ file: HDF5Writer) throws {
        let layout = ParameterLayout(shape)
        try file.setAttribute("layer_names", strings: ["lstm", "dense"])
        try file.setAttribute("backend", string: "tensorflow")
        try file.setAttribute("keras_version", string: Self.kerasLayoutVersion)
        for layer in ["lstm", "dense"] {
            let tensors = WeightTensor.allCases.filter { $0.kerasLayer == layer }
            try file.createGroup(layer)
            try file.setAttribute("weight_names", on: layer, strings: tensors.map(\.kerasName))
            for tensor in tensors {
                try file.writeDoubles("\(layer)/\(tensor.kerasName)", Array(finalParameters[layout.range(of: tensor)]),
                                      dimensions: layout.dimensions(of: tensor))
            }
        }
        let group = "lstmlab"
        try file.createGroup(group)
        try file.setAttribute("run_id", on: group, int64: runID)
        try file.setAttribute("run_seed", on: group, int64: Int64(bitPattern: runSeed))
        try file.setAttribute("experiment", on: group, string: experiment)
        try file.setAttribute("configuration_label", on: group, string: configuration.label)
        try file.setAttribute("configuration", on: group, string: try canonicalJSON(configuration))
        try file.setAttribute("epochs", on: group, int64: Int64(epochs))
        try file.setAttribute("product_version", on: group, string: lstmlabVersion)
        let count = layout.count
        try file.writeDoubles("\(group)/initial_weights", initialParameters, dimensions: [count])
        if !snapshots.isEmpty {
            try file.writeDoubles("\(group)/snapshots", snapshots.flatMap(\.parameters),
                                  dimensions: [snapshots.count, count])
            try file.writeInt64s("\(group)/snapshot_epochs", snapshots.map { Int64($0.epoch) },
                                 dimensions: [snapshots.count])
        }
        try file.createGroup("\(group)/adam")
        try file.writeDoubles("\(group)/adam/m", adamState.firstMoment, dimensions: [count])
        try file.writeDoubles("\(group)/adam/v", adamState.secondMoment, dimensions: [count])
        try file.setAttribute("step", on: "\(group)/adam", int64: Int64(adamState.step))
        let columns = scaler.columnCount
        try file.writeDoubles("\(group)/scaler/minimums", scaler.minimums, dimensions: [columns])
        try file.writeDoubles("\(group)/scaler/maximums", scaler.maximums, dimensions: [columns])
        try file.writeDoubles("\(group)/scaler/scales", scaler.scales, dimensions: [columns])
        try file.writeDoubles("\(group)/scaler/offsets", scaler.offsets, dimensions: [columns])
    }

    /// Reads a checkpoint, checking every shape against the configuration it records.
    public static func read(from path: String) throws -> Checkpoint {
        do {
            return try readHDF5File(at: path) { file in try readContents(file) }
        } catch let error as HDF5Error {
            if case .cannotOpen = error { throw ArchiveError.damagedCheckpoint(path: path, reason: "not a readable HDF5 file") }
            throw ArchiveError.damagedCheckpoint(path: path, reason: error.description)
        }
    }

    private static func readContents(_ file: HDF5Reader) throws -> Checkpoint {
        let group = "lstmlab"
        let json = try file.stringAttribute("configuration", on: group)
        guard let configuration = try? JSONDecoder().decode(RunConfiguration.self, from: Data(json.utf8)) else {
            throw ArchiveError.damagedCheckpoint(path: file.path, reason: "unreadable configuration attribute")
        }
        let layout = ParameterLayout(NetworkShape(lag: configuration.training.lag, units: configuration.training.units))
        func flat(_ name: String, count: Int) throws -> [Double] {
            let (values, _) = try file.readDoubles(name)
            guard values.count == count else {
                throw ArchiveError.damagedCheckpoint(path: file.path, reason: "'\(name)' has \(values.count) values, expected \(count)")
            }
            return values
        }
        var final: [Double] = []
        for tensor in WeightTensor.allCases {
            let name = "\(tensor.kerasLayer)/\(tensor.kerasName)"
            let (values, dimensions) = try file.readDoubles(name)
            guard dimensions == layout.dimensions(of: tensor) else {
                throw ArchiveError.damagedCheckpoint(
                    path: file.path, reason: "'\(name)' has shape \(dimensions), expected \(layout.dimensions(of: tensor))")
            }
            final += values
        }
        var snapshots: [WeightSnapshot] = []
        if file.exists("\(group)/snapshots") {
            let epochs = try file.readInt64s("\(group)/snapshot_epochs").values
            let values = try flat("\(group)/snapshots", count: epochs.count * layout.count)
            snapshots = epochs.enumerated().map { index, epoch in
                WeightSnapshot(epoch: Int(epoch),
                               parameters: Array(values[(index * layout.count)..<((index + 1) * layout.count)]))
            }
        }
        var adam = AdamState(parameterCount: layout.count)
        adam.firstMoment = try flat("\(group)/adam/m", count: layout.count)
        adam.secondMoment = try flat("\(group)/adam/v", count: layout.count)
        adam.step = Int(try file.int64Attribute("step", on: "\(group)/adam"))
        let columns = configuration.training.lag + 1
        let scaler = MinMaxScaler(
            minimums: try flat("\(group)/scaler/minimums", count: columns),
            maximums: try flat("\(group)/scaler/maximums", count: columns),
            scales: try flat("\(group)/scaler/scales", count: columns),
            offsets: try flat("\(group)/scaler/offsets", count: columns))
        return Checkpoint(
            runID: try file.int64Attribute("run_id", on: group),
            runSeed: UInt64(bitPattern: try file.int64Attribute("run_seed", on: group)),
            experiment: try file.stringAttribute("experiment", on: group),
            configuration: configuration,
            epochs: Int(try file.int64Attribute("epochs", on: group)),
            finalParameters: final,
            initialParameters: try flat("\(group)/initial_weights", count: layout.count),
            snapshots: snapshots, adamState: adam, scaler: scaler)
    }

    public init(runID: Int64, runSeed: UInt64, experiment: String, configuration: RunConfiguration, epochs: Int,
                finalParameters: [Double], initialParameters: [Double], snapshots: [WeightSnapshot],
                adamState: AdamState, scaler: MinMaxScaler) {
        self.runID = runID
        self.runSeed = runSeed
        self.experiment = experiment
        self.configuration = configuration
        self.epochs = epochs
        self.finalParameters = finalParameters
        self.initialParameters = initialParameters
        self.snapshots = snapshots
        self.adamState = adamState
        self.scaler = scaler
    }
}

/// SHA-256 of a file's bytes, as lowercase hex.
public func sha256Hex(ofFileAt path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw ArchiveError.io("cannot read \(path)")
    }
    return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
}

