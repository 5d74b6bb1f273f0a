import Foundation
import NeuralNetwork

/// The study's experiments (SPEC §4), its four follow-ups and the sister studies of its family. Each is an experiment
/// file shipped inside the binary (Sources/Experiment/Presets/<name>.yaml), the one definition of what it runs.
public enum Preset: String, Sendable, CaseIterable {
    /// No penalty: `L1L2(0.00,0.00)`.
    case baseline
    /// L1L2 (0,0), (0.01,0), (0,0.01), (0.01,0.01) on the LSTM bias.
    case bias
    /// The same four on the input weights (kernel).
    case input
    /// The same four on the recurrent weights.
    case recurrent
    /// Input-weight L1 × L2 over {0, 0.001, 0.003, 0.01, 0.03, 0.1}².
    case inputGrid = "input-grid"
    /// Input L1L2(0.01,0.01) together with bias and/or recurrent penalties.
    case combined
    /// L1L2 on the LSTM output h.
    case activity
    /// Train/test curves of the unregularized model and of the best and worst places.
    case dynamics
    /// The family: input dropout 0, 0.2, 0.4, 0.6.
    case dropout
    /// Recurrent dropout 0, 0.2, 0.4, 0.6.
    case recurrentDropout = "recurrent-dropout"
    /// 500 to 6000 epochs, the state seeded.
    case epochs
    /// Batch 1, 2, 4.
    case batch
    /// 1 to 5 units.
    case neurons
    /// Stateful against stateless training, walk-forward.
    case stateless
    /// 1 to 5 lag features.
    case features
    /// 1 to 5 lag timesteps.
    case timesteps
    /// One configuration, 100 repeats.
    case instability
    /// The state seeded before forecasting, or not.
    case seedState = "seed-state"
    /// The original forecast: 4 units, batch 1, 3000 epochs, seeded, walk-forward.
    case original

    /// The place a preset of the study penalises (bias, input or recurrent; the input weights for the others).
    public var studyPlace: PenaltyPlace {
        switch self {
        case .bias: .bias
        case .recurrent: .recurrent
        default: .kernel
        }
    }

    /// The study's four L1L2 settings, in its table order.
    public static let studyPenalties: [L1L2] = [
        L1L2(l1: 0, l2: 0), L1L2(l1: 0.01, l2: 0), L1L2(l1: 0, l2: 0.01), L1L2(l1: 0.01, l2: 0.01),
    ]

    /// The preset's file as shipped.
    public var text: String {
        let bytes: [UInt8] = switch self {
        case .baseline: PackageResources.baseline_yaml
        case .bias: PackageResources.bias_yaml
        case .input: PackageResources.input_yaml
        case .recurrent: PackageResources.recurrent_yaml
        case .inputGrid: PackageResources.input_grid_yaml
        case .combined: PackageResources.combined_yaml
        case .activity: PackageResources.activity_yaml
        case .dynamics: PackageResources.dynamics_yaml
        case .dropout: PackageResources.dropout_yaml
        case .recurrentDropout: PackageResources.recurrent_dropout_yaml
        case .epochs: PackageResources.epochs_yaml
        case .batch: PackageResources.batch_yaml
        case .neurons: PackageResources.neurons_yaml
        case .stateless: PackageResources.stateless_yaml
        case .features: PackageResources.features_yaml
        case .timesteps: PackageResources.timesteps_yaml
        case .instability: PackageResources.instability_yaml
        case .seedState: PackageResources.seed_state_yaml
        case .original: PackageResources.original_yaml
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The preset's file, parsed (a shipped file that does not parse is a bug of the build, caught by the tests).
    public var file: ExperimentFile { Self.files[self]! }

    private static let files: [Preset: ExperimentFile] = Dictionary(uniqueKeysWithValues: allCases.map { preset in
        do {
            return (preset, try ExperimentFile(text: preset.text, path: "\(preset.rawValue).yaml"))
        } catch {
            preconditionFailure("the shipped preset \(preset.rawValue) does not parse: \(error)")
        }
    })

    /// What the preset runs, in one line (the file's `description`).
    public var summary: String { file.description ?? rawValue }

    public var configurations: [ConfigurationSpec] { file.configurations }

    /// The preset as an experiment with the given shared settings under the file's own (a family preset sets its
    /// study's settings and repeats), named `<preset>-<profile>` unless named.
    public func experiment(name: String? = nil, seed: UInt64, repeats: Int, training: TrainingSettings)
        -> ExperimentSpec
    {
        ExperimentSpec(name: name ?? "\(rawValue)-\(training.profile.name)", preset: rawValue, seed: seed,
                       repeats: file.values.repeats ?? repeats, training: file.values.settings.applied(to: training),
                       configurations: configurations)
    }

    /// Whether the preset is one of the family's sister studies (their settings and repeats are the file's).
    public var isFamily: Bool { Self.family.contains(self) }

    public static func named(_ name: String) throws -> Preset {
        guard let preset = Preset(rawValue: name) else {
            throw ExperimentError.unknownPreset(name, known: allCases.map(\.rawValue))
        }
        return preset
    }

    /// The study proper (SPEC §4), then the follow-ups.
    public static let study: [Preset] = [.baseline, .bias, .input, .recurrent]
    public static let followUps: [Preset] = [.inputGrid, .combined, .activity, .dynamics]
    /// The sister studies (`../reference/study-family.md`), in the order their notebooks are listed.
    public static let family: [Preset] = [.dropout, .recurrentDropout, .epochs, .batch, .neurons, .stateless, .features,
                                          .timesteps, .instability, .seedState, .original]
}
