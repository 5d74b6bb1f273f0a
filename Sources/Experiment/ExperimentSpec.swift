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
        for configuration in configurations { try configuration.training(sharing: training).validate() }
        try checkSetting("repeats", repeats, SettingLimits.repeats)
        guard seed <= SettingLimits.largestSeed else {
            throw ExperimentError.outOfRange(name: "seed", value: "\(seed)", range: "from 0 to \(SettingLimits.largestSeed)")
        }
        try Self.validateName(name)
        guard !configurations.isEmpty else {
            throw ExperimentError.invalidValue(name: "configurations", value: "none", allowed: "at least one")
        }
        var seen = Set<String>(), identities = Set<[UInt8]>()
        for configuration in configurations {
            guard seen.insert(configuration.label).inserted,
                  identities.insert(configuration.canonicalEncoding).inserted else {
                throw ExperimentError.duplicateConfiguration(configuration.label)
            }
            for place in PenaltyPlace.allCases {
                let penalty = configuration.regularization[place]
                try checkCoefficient(penalty.l1, name: "\(place.rawValue) L1")
                try checkCoefficient(penalty.l2, name: "\(place.rawValue) L2")
            }
        }
        try checkMemory(seriesLength: 0, jobs: 1, snapshotInterval: nil)
    }

    /// Checks an experiment name: it names a folder of checkpoints and notebook files, so it must be a portable file
    /// name on Linux and macOS.
    public static func validateName(_ name: String) throws {
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
    }

    /// The training settings of each configuration's runs: the shared ones with the configuration's own applied.
    public var trainingSettings: [TrainingSettings] { configurations.map { $0.training(sharing: training) } }

    /// Refuses an experiment whose runs would not fit in memory (`TrainingSettings.checkMemory`): every run counted
    /// with the settings of each configuration in turn (an upper bound when configurations differ in size).
    public func checkMemory(seriesLength: Int, jobs: Int, snapshotInterval: Int?) throws {
        let (runCount, overflow) = configurations.count.multipliedReportingOverflow(by: repeats)
        for settings in Set(trainingSettings) {
            try settings.checkMemory(seriesLength: seriesLength, runCount: overflow ? Int.max : runCount, jobs: jobs,
                                     snapshotInterval: snapshotInterval)
        }
    }

    /// Every run of the experiment, configuration by configuration, repeat by repeat.
    public var runs: [RunTask] {
        configurations.flatMap { configuration in
            (0..<repeats).map { repeatIndex in
                RunTask(
                    experiment: name,
                    configuration: RunConfiguration(configuration: configuration,
                                                    training: configuration.training(sharing: training)),
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

extension ExperimentSpec {
    /// The experiment rescaled so that its longest runs train `longest` epochs: every epoch count its runs use (the
    /// shared one and each configuration's own) becomes round(count × longest / the longest count), at least 1 and at
    /// least one more than the next shorter count's (a shared count no run uses becomes `longest`), so configurations that differ in epochs stay distinct and in order
    /// (500, 1000, 2000, 4000, 6000 with 12 become 1, 2, 4, 8, 12; with 3 they become 1, 2, 3, 4, 5).
    public func withLongestEpochs(_ longest: Int) -> ExperimentSpec {
        let counts = Set(trainingSettings.map(\.epochs)).sorted()
        let longestCount = Swift.max(1, counts.last ?? 1)
        func scaled(_ count: Int) -> Int {
            let product = count.multipliedFullWidth(by: longest)
            let (quotient, remainder) = longestCount.dividingFullWidth((product.high, product.low))
            return Swift.max(1, quotient + (remainder >= longestCount - remainder ? 1 : 0))
        }
        var mapped: [Int: Int] = [:]
        var previous = 0
        for count in counts {
            previous = Swift.max(scaled(count), previous &+ 1)
            mapped[count] = previous
        }
        var spec = self
        spec.training.epochs = mapped[training.epochs] ?? longest
        spec.configurations = configurations.map { configuration in
            guard let own = configuration.settings.epochs else { return configuration }
            var settings = configuration.settings
            settings.epochs = mapped[own] ?? longest
            return ConfigurationSpec(configuration.penalties.map { ($0.place, $0.penalty) }, settings: settings,
                                     label: configuration.customLabel)
        }
        return spec
    }
}
