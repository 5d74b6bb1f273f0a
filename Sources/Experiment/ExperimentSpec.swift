import NeuralNetwork

/// An experiment: named configurations, each trained `repeats` times with the same shared settings.
public struct ExperimentSpec: Sendable, Equatable, Codable {
    /// The archive's name for it, e.g. `input-keras2`.
    public var name: String
    /// The preset it came from, or `custom`.
    public var preset: String
    public var seed: UInt64
    public var repeats: Int
    public var training: TrainingSettings
    public var configurations: [ConfigurationSpec]

    public init(name: String, preset: String, seed: UInt64, repeats: Int, training: TrainingSettings,
                configurations: [ConfigurationSpec]) {
        self.name = name
        self.preset = preset
        self.seed = seed
        self.repeats = repeats
        self.training = training
        self.configurations = configurations
    }

    /// Checks the shared settings, the repeat count, the seed, the name and every penalty coefficient against their
    /// ranges (`SettingLimits`), and that the runs' results fit in memory (without the series; the command line checks
    /// again with the series and the job count); throws a one-line error naming the bad value.
    public func validate() throws {
        try training.validate()
        try checkSetting("repeats", repeats, SettingLimits.repeats)
        guard seed <= SettingLimits.largestSeed else {
            throw ExperimentError.outOfRange(name: "seed", value: "\(seed)", range: "from 0 to \(SettingLimits.largestSeed)")
        }
        // The name names a folder of checkpoints and notebook files: a portable file name on Linux and macOS.
        let nameCharacters = "letters A–Z a–z, digits, '-', '_', '.' and '+', starting with a letter or a digit"
        guard !name.isEmpty, name.utf8.count <= SettingLimits.experimentNameBytes else {
            throw ExperimentError.invalidValue(
                name: "experiment name", value: name,
                allowed: "from 1 to \(SettingLimits.experimentNameBytes) characters (it has \(name.utf8.count) bytes)")
        }
        let isAllowed: (Unicode.Scalar) -> Bool = { scalar in
            scalar.isASCII && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                || ("0"..."9").contains(scalar) || "-_.+".unicodeScalars.contains(scalar))
        }
        guard name.unicodeScalars.allSatisfy(isAllowed), let first = name.unicodeScalars.first,
              first.properties.isAlphabetic || ("0"..."9").contains(first)
        else {
            throw ExperimentError.invalidValue(name: "experiment name", value: name, allowed: nameCharacters)
        }
        guard !configurations.isEmpty else {
            throw ExperimentError.invalidValue(name: "configurations", value: "none", allowed: "at least one")
        }
        var seen = Set<String>()
        for configuration in configurations {
            guard seen.insert(configuration.label).inserted else {
                throw ExperimentError.duplicateConfiguration(configuration.label)
            }
            for place in PenaltyPlace.allCases {
                let penalty = configuration.regularization[place]
                try checkCoefficient(penalty.l1, name: "\(place.rawValue) L1")
                try checkCoefficient(penalty.l2, name: "\(place.rawValue) L2")
            }
        }
        let (runCount, overflow) = configurations.count.multipliedReportingOverflow(by: repeats)
        try training.checkMemory(seriesLength: 0, runCount: overflow ? Int.max : runCount, jobs: 1, snapshotInterval: nil)
    }

    /// Every run of the experiment, configuration by configuration, repeat by repeat.
    public var runs: [RunTask] {
        configurations.flatMap { configuration in
            (0..<repeats).map { repeatIndex in
                RunTask(
                    experiment: name,
                    configuration: RunConfiguration(configuration: configuration, training: training),
                    repeatIndex: repeatIndex,
                    runSeed: deriveRunSeed(experimentSeed: seed, configuration: configuration, repeatIndex: repeatIndex))
            }
        }
    }
}

/// One run to train: its experiment, configuration, repeat index and derived seed (its identity in the archive).
public struct RunTask: Sendable, Equatable, Hashable {
    public var experiment: String
    public var configuration: RunConfiguration
    public var repeatIndex: Int
    public var runSeed: UInt64

    public init(experiment: String, configuration: RunConfiguration, repeatIndex: Int, runSeed: UInt64) {
        self.experiment = experiment
        self.configuration = configuration
        self.repeatIndex = repeatIndex
        self.runSeed = runSeed
    }
}

/// The study's experiments (SPEC §4) and its four follow-ups.
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

    /// The grid of L1 and L2 values of `input-grid`.
    public static let gridValues: [Double] = [0, 0.001, 0.003, 0.01, 0.03, 0.1]

    /// What the preset runs, in one line.
    public var summary: String {
        switch self {
        case .baseline: "the unregularized model, L1L2(0.00,0.00)"
        case .bias: "the study's four L1L2 settings on the LSTM bias"
        case .input: "the study's four L1L2 settings on the input weights (kernel)"
        case .recurrent: "the study's four L1L2 settings on the recurrent weights"
        case .inputGrid: "input-weight L1 × L2 over {0, 0.001, 0.003, 0.01, 0.03, 0.1}² (36 configurations)"
        case .combined: "input L1L2(0.01,0.01) combined with bias and/or recurrent penalties"
        case .activity: "L1L2 on the LSTM output (activity regularization)"
        case .dynamics: "train/test curves: unregularized, input, recurrent and bias L1L2(0.01,0.01)"
        }
    }

    public var configurations: [ConfigurationSpec] {
        let both = L1L2(l1: 0.01, l2: 0.01)
        switch self {
        case .baseline:
            return [.baseline]
        case .bias:
            return Self.studyPenalties.map { .single(.bias, $0) }
        case .input:
            return Self.studyPenalties.map { .single(.kernel, $0) }
        case .recurrent:
            return Self.studyPenalties.map { .single(.recurrent, $0) }
        case .inputGrid:
            return Self.gridValues.flatMap { l1 in
                Self.gridValues.map { l2 in .single(.kernel, L1L2(l1: l1, l2: l2)) }
            }
        case .combined:
            return [
                .baseline,
                .single(.kernel, both),
                .combined([(.kernel, both), (.bias, both)]),
                .combined([(.kernel, both), (.recurrent, both)]),
                .combined([(.kernel, both), (.bias, both), (.recurrent, both)]),
                .combined([(.kernel, both), (.recurrent, L1L2(l1: 0.001, l2: 0.001))]),
            ]
        case .activity:
            return [L1L2(l1: 0, l2: 0), L1L2(l1: 0.001, l2: 0), L1L2(l1: 0, l2: 0.001), L1L2(l1: 0.01, l2: 0),
                    L1L2(l1: 0, l2: 0.01), L1L2(l1: 0.01, l2: 0.01)].map { .single(.activity, $0) }
        case .dynamics:
            return [.baseline, .single(.kernel, both), .single(.recurrent, both), .single(.bias, both)]
        }
    }

    /// The preset as an experiment with the given shared settings, named `<preset>-<profile>` unless named.
    public func experiment(name: String? = nil, seed: UInt64, repeats: Int, training: TrainingSettings)
        -> ExperimentSpec
    {
        ExperimentSpec(name: name ?? "\(rawValue)-\(training.profile.name)", preset: rawValue, seed: seed,
                       repeats: repeats, training: training, configurations: configurations)
    }

    public static func named(_ name: String) throws -> Preset {
        guard let preset = Preset(rawValue: name) else {
            throw ExperimentError.unknownPreset(name, known: allCases.map(\.rawValue))
        }
        return preset
    }

    /// The study proper (SPEC §4), then the follow-ups.
    public static let study: [Preset] = [.baseline, .bias, .input, .recurrent]
    public static let followUps: [Preset] = [.inputGrid, .combined, .activity, .dynamics]
}
