import Experiment
import Foundation
import NeuralNetwork
import TimeSeries

/// One run's weights and training state, as stored in its HDF5 file.
///
/// Layout (SPEC §6): root attributes `layer_names` = [b"lstm", b"dense"], `backend`, `keras_version`; groups
/// `lstm` and `dense` with attribute `weight_names`, and a dataset at each of those paths inside the group
/// (`lstm/lstm/lstm_cell/kernel` (lag, 4u), `…/recurrent_kernel` (u, 4u), `…/bias` (4u), `dense/dense/kernel`
/// (u, 1), `dense/dense/bias` (1)) — what Keras 3 `model.load_weights(path)` reads. Beside it, ignored by Keras,
/// the group `lstmlab`: attribute `metadata`, a JSON object with `run_id`, `run_seed`, `experiment`,
/// `configuration_label`, `configuration`, `epochs`, `product_version`, `numerics_version`, `adam_step` and
/// `snapshot_epochs`; datasets `initial_weights` (P), `snapshots` (n, P), `adam_moments` (2, P: m then v), and
/// `scaler` (4, lag + 1: minimums, maximums, scales, offsets). Flat weight vectors follow `ParameterLayout` (kernel, recurrent kernel,
/// bias, Dense kernel, Dense bias). The file uses HDF5's 1.8 object format with compact datasets and no timestamps.
/// Checkpoints of lstmlab 0.1 (separate attributes, `snapshot_epochs`, groups `adam/` and `scaler/`) are read too.
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
    /// The lstmlab version and numerics version that trained the run.
    public var productVersion: String = lstmlabVersion
    public var numericsVersion: Int = NeuralNetwork.numericsVersion

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

    /// Whether `candidate` is a temporary name of the checkpoint `name` (`.<name>.<pid>.tmp`), as lstmlab 0.1 wrote
    /// checkpoints before renaming them into place: a crash could leave one behind.
    static func isTemporaryName(_ candidate: String, of name: String) -> Bool {
        candidate.hasPrefix(".\(name).") && candidate.hasSuffix(".tmp")
    }

    /// The Keras version whose legacy HDF5 weight layout this follows.
    public static let kerasLayoutVersion = "3.15.1"

    public var shape: NetworkShape { configuration.training.networkShape }

    /// The weights after `epoch` (the final weights for the last epoch); nil when no snapshot was kept for it.
    public func parameters(atEpoch epoch: Int?) -> [Double]? {
        guard let epoch, epoch != epochs else { return finalParameters }
        return snapshots.first { $0.epoch == epoch }?.parameters
    }

    /// Writes the file: built in memory and written out in one piece. With `durable` (the default) it is then
    /// flushed to the disk (`fsync`) with its folder, so that once this returns it survives a power loss; without,
    /// the caller flushes it (`flushToDisk`) before anything that names it is committed. Returns the SHA-256 (hex).
    ///
    /// The file is written in place: no reader looks at a checkpoint before the archive row that names it is
    /// committed, which happens only after it is flushed; a file left by a crash in between belongs to a run still
    /// marked `running`, and is removed when that run is redone (or listed by `check`).
    @discardableResult
    public func write(to path: String, durable: Bool = true) throws -> String {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: folder) {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        do {
            try writeHDF5File(at: path) { file in try writeContents(file) }
            let digest = try hashFile(path)
            if durable { try flushToDisk([path]) }
            return digest
        } catch {
            try? FileManager.default.removeItem(atPath: path)
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
        let metadata = Metadata(
            runID: runID, runSeed: runSeed, experiment: experiment, configurationLabel: configuration.label,
            configuration: configuration, epochs: epochs, productVersion: productVersion, numericsVersion: numericsVersion,
            adamStep: adamState.step, snapshotEpochs: snapshots.map(\.epoch))
        try file.setAttribute("metadata", on: group, string: try canonicalJSON(metadata))
        let count = layout.count
        try file.writeDoubles("\(group)/initial_weights", initialParameters, dimensions: [count])
        if !snapshots.isEmpty {
            try file.writeDoubles("\(group)/snapshots", snapshots.flatMap(\.parameters),
                                  dimensions: [snapshots.count, count])
        }
        try file.writeDoubles("\(group)/adam_moments", adamState.firstMoment + adamState.secondMoment,
                              dimensions: [2, count])
        let columns = scaler.columnCount
        try file.writeDoubles("\(group)/scaler", scaler.minimums + scaler.maximums + scaler.scales + scaler.offsets,
                              dimensions: [4, columns])
    }

    /// The `lstmlab/@metadata` attribute: one JSON object, so the group's header holds one attribute, not ten.
    struct Metadata: Codable {
        var runID: Int64
        var runSeed: UInt64
        var experiment: String
        var configurationLabel: String
        var configuration: RunConfiguration
        var epochs: Int
        var productVersion: String
        var numericsVersion: Int
        var adamStep: Int
        var snapshotEpochs: [Int]

        enum CodingKeys: String, CodingKey {
            case runID = "run_id", runSeed = "run_seed", experiment, configurationLabel = "configuration_label",
                 configuration, epochs, productVersion = "product_version", numericsVersion = "numerics_version",
                 adamStep = "adam_step", snapshotEpochs = "snapshot_epochs"
        }
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
        let metadata = try readMetadata(file)
        let configuration = metadata.configuration
        let layout = ParameterLayout(configuration.training.networkShape)
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
        if !metadata.snapshotEpochs.isEmpty {
            let values = try flat("\(group)/snapshots", count: metadata.snapshotEpochs.count * layout.count)
            snapshots = metadata.snapshotEpochs.enumerated().map { index, epoch in
                WeightSnapshot(epoch: epoch, parameters: Array(values[(index * layout.count)..<((index + 1) * layout.count)]))
            }
        }
        var adam = AdamState(parameterCount: layout.count)
        adam.step = metadata.adamStep
        let columns = configuration.training.lag + 1
        let scaler: MinMaxScaler
        if file.exists("\(group)/adam_moments") {
            let moments = try flat("\(group)/adam_moments", count: 2 * layout.count)
            adam.firstMoment = Array(moments[..<layout.count])
            adam.secondMoment = Array(moments[layout.count...])
            let rows = try flat("\(group)/scaler", count: 4 * columns)
            func row(_ index: Int) -> [Double] { Array(rows[(index * columns)..<((index + 1) * columns)]) }
            scaler = MinMaxScaler(minimums: row(0), maximums: row(1), scales: row(2), offsets: row(3))
        } else {
            // The layout of lstmlab 0.1: `adam/{m, v}`, `scaler/{minimums, maximums, scales, offsets}`.
            adam.firstMoment = try flat("\(group)/adam/m", count: layout.count)
            adam.secondMoment = try flat("\(group)/adam/v", count: layout.count)
            scaler = MinMaxScaler(
                minimums: try flat("\(group)/scaler/minimums", count: columns),
                maximums: try flat("\(group)/scaler/maximums", count: columns),
                scales: try flat("\(group)/scaler/scales", count: columns),
                offsets: try flat("\(group)/scaler/offsets", count: columns))
        }
        var checkpoint = Checkpoint(
            runID: metadata.runID, runSeed: metadata.runSeed, experiment: metadata.experiment,
            configuration: configuration, epochs: metadata.epochs, finalParameters: final,
            initialParameters: try flat("\(group)/initial_weights", count: layout.count),
            snapshots: snapshots, adamState: adam, scaler: scaler)
        checkpoint.productVersion = metadata.productVersion
        checkpoint.numericsVersion = metadata.numericsVersion
        return checkpoint
    }

    /// The metadata: the `metadata` JSON attribute, or the separate attributes and `snapshot_epochs` dataset of a
    /// checkpoint written by lstmlab 0.1.
    private static func readMetadata(_ file: HDF5Reader) throws -> Metadata {
        let group = "lstmlab"
        if let json = try? file.stringAttribute("metadata", on: group) {
            do {
                return try JSONDecoder().decode(Metadata.self, from: Data(json.utf8))
            } catch {
                throw ArchiveError.damagedCheckpoint(path: file.path, reason: "unreadable metadata attribute")
            }
        }
        let json = try file.stringAttribute("configuration", on: group)
        guard let configuration = try? JSONDecoder().decode(RunConfiguration.self, from: Data(json.utf8)) else {
            throw ArchiveError.damagedCheckpoint(path: file.path, reason: "unreadable configuration attribute")
        }
        let snapshotEpochs = file.exists("\(group)/snapshot_epochs")
            ? try file.readInt64s("\(group)/snapshot_epochs").values.map { Int($0) } : []
        return Metadata(
            runID: try file.int64Attribute("run_id", on: group),
            runSeed: UInt64(bitPattern: try file.int64Attribute("run_seed", on: group)),
            experiment: try file.stringAttribute("experiment", on: group), configurationLabel: configuration.label,
            configuration: configuration, epochs: Int(try file.int64Attribute("epochs", on: group)),
            productVersion: (try? file.stringAttribute("product_version", on: group)) ?? "0.1.0", numericsVersion: 1,
            adamStep: Int(try file.int64Attribute("step", on: "\(group)/adam")), snapshotEpochs: snapshotEpochs)
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
