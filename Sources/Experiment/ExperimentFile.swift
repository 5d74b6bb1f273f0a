import Foundation
import NeuralNetwork
import TimeSeries
import Yams

/// An experiment written as a YAML file (the presets are such files):
///
/// - `name` (may hold `{profile}`, replaced by the profile's name; default: the file's name without extension),
///   `preset` (which preset the file is; default `custom`), `description` (one line), `profile`, `seed`, `repeats`;
/// - `data`: `shampoo-sales` or `{path: FILE, column: NAME}` (a relative path is relative to the file's folder);
/// - `settings`: the training settings shared by every configuration (`units`, `batch`, `lag`, `test-size`,
///   `epochs`, `learning-rate`, `dropout`, `recurrent-dropout`, `stateful`, `shuffle`, `forecast`, `seed-state`,
///   `lag-as`, `train-rows`: `TrainingSetting`) and `checkpoint-every`;
/// - `configurations`: a list, each with an optional `label`, any training setting and `penalties` by place
///   (`bias`, `kernel`, `recurrent`, `activity`, each `{l1: …, l2: …}`, a missing coefficient 0); `replicate: N`
///   makes a configuration otherwise the same as another a configuration of its own, trained from its own seeds;
/// - `grid`: a map from a training setting or `penalties` to a list of values: the cross product, the first key
///   outermost. With `configurations` too, each listed configuration is combined with each grid point.
///
/// Without `configurations` and `grid` the experiment has one configuration, the unregularized one. Every error is
/// one line naming the file, the line and column, the key and what is allowed.
public struct ExperimentFile: Sendable {
    /// The file's path as given (in error messages).
    public var path: String
    /// The file as written.
    public var text: String
    public var name: String?
    public var preset: String?
    public var description: String?
    public var values: ExperimentValues
    public var data: DataSource?
    public var configurations: [ConfigurationSpec]

    /// The top-level keys, in the order files write them.
    public static let keys = ["name", "preset", "description", "profile", "seed", "repeats", "data", "settings",
                              "configurations", "grid"]

    /// Reads and parses the file at `path`.
    public init(contentsOf path: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ExperimentFileError(path: path, line: 1, column: 1, message: "cannot read the file as UTF-8 text")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try self.init(text: text, path: path, folder: folder)
    }

    /// Parses `text`; `path` names it in errors and gives the default name, `folder` is where relative data paths
    /// start.
    public init(text: String, path: String, folder: String? = nil) throws {
        self.path = path
        self.text = text
        let reader = FileReader(path: path, folder: folder)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw reader.error(nil, "the file is empty; an experiment file is a map of "
                                   + Self.keys.joined(separator: ", "))
            }
            root = node
        } catch let error as YamlError {
            throw reader.syntaxError(error)
        }
        let top = try reader.mapping(root, key: "the file", allowed: Self.keys)
        name = try top["name"].map { node in
            let name = try reader.string(node, key: "name")
            do {
                try ExperimentSpec.validateName(name.replacingOccurrences(of: "{profile}", with: "keras2"))
            } catch let error as ExperimentError {
                throw reader.error(node, "name: \(error.description)")
            }
            return name
        } ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        preset = try top["preset"].map { try reader.string($0, key: "preset") }
        description = try top["description"].map { try reader.string($0, key: "description") }
        var values = ExperimentValues()
        if let node = top["profile"] {
            let name = try reader.string(node, key: "profile")
            guard let profile = KerasProfile(rawValue: name) else {
                throw reader.error(node, "profile '\(oneLine(name))' is not allowed: keras2 or keras3")
            }
            values.profile = profile
        }
        if let node = top["seed"] {
            let text = try reader.string(node, key: "seed")
            guard let seed = UInt64(text), seed <= SettingLimits.largestSeed else {
                throw reader.error(node, "seed must be an integer from 0 to \(SettingLimits.largestSeed), got '\(oneLine(text))'")
            }
            values.seed = seed
        }
        values.repeats = try top["repeats"].map { try reader.integer($0, key: "repeats", range: SettingLimits.repeats) }
        if let node = top["settings"] {
            let settings = try reader.mapping(node, key: "settings",
                                              allowed: SettingOverrides.sharedKeys + ["checkpoint-every"])
            values.settings = try reader.settings(settings, key: "settings")
            values.checkpointEvery = try settings["checkpoint-every"].map {
                try reader.integer($0, key: "checkpoint-every", range: SettingLimits.checkpointEvery)
            }
        }
        self.values = values
        data = try top["data"].map { try reader.data($0) }
        configurations = try reader.configurations(listed: top["configurations"], grid: top["grid"])
    }

    /// The experiment, with `overrides` (the command line's values) over the file's and defaults for the rest;
    /// `name` over the file's name. `{profile}` in the name becomes the profile's name.
    public func spec(overriding overrides: ExperimentValues = ExperimentValues(), name: String? = nil) -> ExperimentSpec {
        let values = overrides.overriding(self.values)
        let training = values.training
        let experimentName = (name ?? self.name ?? "custom-{profile}")
            .replacingOccurrences(of: "{profile}", with: training.profile.name)
        return ExperimentSpec(name: experimentName, preset: preset ?? "custom", seed: values.resolvedSeed,
                              repeats: values.resolvedRepeats, training: training, configurations: configurations)
    }
}

/// A bad experiment file: `file.yaml:LINE:COLUMN: message`, one line.
public struct ExperimentFileError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var column: Int
    public var message: String

    public var description: String { "\(oneLine(path)):\(line):\(column): \(oneLine(message, limit: 300))" }
}

/// Reads the nodes of one file, each error located at its node.
private struct FileReader {
    let path: String
    let folder: String?

    static let places = PenaltyPlace.allCases.map(\.rawValue)
    static let configurationKeys = ["label"] + SettingOverrides.keys + ["penalties"]

    func error(_ node: Node?, _ message: String) -> ExperimentFileError {
        ExperimentFileError(path: path, line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1, message: message)
    }

    func syntaxError(_ error: YamlError) -> ExperimentFileError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let within = context.map { " (\($0.text))" } ?? ""
            return ExperimentFileError(path: path, line: mark.line, column: mark.column,
                                       message: "YAML syntax error: \(problem)\(within)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ExperimentFileError(path: path, line: context.mark.line, column: context.mark.column,
                                       message: "key '\(duplicates.joined(separator: "', '"))' is given twice in one map")
        default:
            return ExperimentFileError(path: path, line: 1, column: 1, message: "YAML error: \(error)")
        }
    }

    /// A map whose keys are all in `allowed`, as key → value (first key first).
    func mapping(_ node: Node, key: String, allowed: [String]) throws -> Entries {
        guard case .mapping(let mapping) = node else {
            throw error(node, "\(key) must be a map of \(allowed.joined(separator: ", ")), got \(kind(node))")
        }
        var entries = Entries()
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else { throw error(keyNode, "a key of \(key) must be a word") }
            guard allowed.contains(scalar.string) else {
                let nearest = allowed.min { editDistance($0, scalar.string) < editDistance($1, scalar.string) }
                let hint = nearest.map { "did you mean '\($0)'? " } ?? ""
                throw error(keyNode, "unknown key '\(oneLine(scalar.string))' in \(key); \(hint)the keys are "
                            + allowed.joined(separator: ", "))
            }
            entries.items.append((scalar.string, keyNode, value))
        }
        return entries
    }

    func kind(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): "'\(oneLine(scalar.string, limit: 40))'"
        case .mapping: "a map"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    func string(_ node: Node, key: String) throws -> String {
        guard case .scalar(let scalar) = node else { throw error(node, "\(key) must be a single value, got \(kind(node))") }
        return scalar.string
    }

    func integer(_ node: Node, key: String, range: ClosedRange<Int>) throws -> Int {
        let text = try string(node, key: key)
        guard let value = Int(text) else {
            throw error(node, "\(key) must be an integer from \(range.lowerBound) to \(range.upperBound), got '\(oneLine(text))'")
        }
        try located(node, key) { try checkSetting(key, value, range) }
        return value
    }

    func number(_ node: Node, key: String) throws -> Double {
        let text = try string(node, key: key)
        guard let value = Double(text), value.isFinite else {
            throw error(node, "\(key) must be a finite number, got '\(oneLine(text))'")
        }
        return value
    }

    /// Runs a check of `SettingLimits`, its error located at `node`.
    func located(_ node: Node, _ key: String, _ check: () throws -> Void) throws {
        do { try check() } catch let failure as ExperimentError { throw error(node, "\(key): \(failure.description)") }
    }

    /// The value of one training setting (`SettingOverrides.keys`) as a number (`TrainingSetting.Kind`), checked
    /// against its range.
    func setting(_ node: Node, key: String) throws -> Double {
        switch TrainingSetting(rawValue: key)!.kind {
        case .integer(let range):
            return Double(try integer(node, key: key, range: range))
        case .learningRate:
            let rate = try number(node, key: key)
            try located(node, key) { try checkLearningRate(rate) }
            return rate
        case .rate:
            let rate = try number(node, key: key)
            try located(node, key) { try checkRate(rate, name: key) }
            return rate
        case .flag:
            let text = try string(node, key: key)
            guard let value = ["true": 1.0, "false": 0.0][text] else {
                throw error(node, "\(key) must be true or false, got '\(oneLine(text))'")
            }
            return value
        case .choice(let names):
            let text = try string(node, key: key)
            guard let index = names.firstIndex(of: text) else {
                throw error(node, "\(key) '\(oneLine(text))' is not allowed: \(names.joined(separator: " or "))")
            }
            return Double(index)
        }
    }

    func settings(_ entries: Entries, key: String) throws -> SettingOverrides {
        var settings = SettingOverrides()
        for (name, _, value) in entries.items where SettingOverrides.keys.contains(name) {
            settings.set(name, try setting(value, key: name))
        }
        return settings
    }

    func data(_ node: Node) throws -> DataSource {
        if case .scalar(let scalar) = node {
            guard scalar.string == "shampoo-sales" else {
                throw error(node, "data '\(oneLine(scalar.string))' is not allowed: shampoo-sales or {path: FILE, column: NAME}")
            }
            return .shampooSales
        }
        let entries = try mapping(node, key: "data", allowed: ["path", "column"])
        guard let pathNode = entries["path"] else { throw error(node, "data needs a path: {path: FILE, column: NAME}") }
        var file = try string(pathNode, key: "path")
        if !file.hasPrefix("/"), let folder { file = URL(fileURLWithPath: folder).appendingPathComponent(file).path }
        return .csv(path: file, column: try entries["column"].map { try string($0, key: "column") })
    }

    /// `{kernel: {l1: 0.01, l2: 0}, …}`: the penalties by place, missing coefficients 0.
    func penalties(_ node: Node, key: String) throws -> [(PenaltyPlace, L1L2)] {
        try mapping(node, key: key, allowed: Self.places).items.map { place, _, value in
            let coefficients = try mapping(value, key: "\(key).\(place)", allowed: ["l1", "l2"])
            func coefficient(_ name: String) throws -> Double {
                guard let node = coefficients[name] else { return 0 }
                let value = try number(node, key: name)
                try located(node, "\(place).\(name)") { try checkCoefficient(value, name: "\(place) \(name.uppercased())") }
                return value
            }
            return (PenaltyPlace(rawValue: place)!, L1L2(l1: try coefficient("l1"), l2: try coefficient("l2")))
        }
    }

    /// What one configuration (listed, or one grid point) sets, and where.
    struct Part {
        var settings = SettingOverrides()
        var penalties: [(PenaltyPlace, L1L2)]?
        var label: String?
        var keys: [String] = []
        var node: Node?
    }

    func list(_ node: Node, key: String) throws -> [Node] {
        guard case .sequence(let sequence) = node else { throw error(node, "\(key) must be a list, got \(kind(node))") }
        guard !sequence.isEmpty else { throw error(node, "\(key) must list at least one value, got an empty list") }
        return Array(sequence)
    }

    func configurations(listed: Node?, grid: Node?) throws -> [ConfigurationSpec] {
        let listedParts = try listed.map { node in
            try list(node, key: "configurations").map { item in
                let entries = try mapping(item, key: "a configuration", allowed: Self.configurationKeys)
                return Part(settings: try settings(entries, key: "configuration"),
                            penalties: try entries["penalties"].map { try penalties($0, key: "penalties") },
                            label: try entries["label"].map { try string($0, key: "label") },
                            keys: entries.items.map(\.key).filter { $0 != "label" }, node: item)
            }
        } ?? [Part()]
        let points = try grid.map(gridPoints) ?? [Part()]
        var built: [(spec: ConfigurationSpec, node: Node?)] = []
        for part in listedParts {
            for point in points {
                if let shared = part.keys.first(where: point.keys.contains) {
                    throw error(point.node, "'\(shared)' is set both by a configuration (line \(part.node?.mark?.line ?? 0)) "
                                + "and by the grid; set it in one of them")
                }
                let penalties = part.penalties ?? point.penalties ?? []
                let settings = part.settings.overriding(point.settings)
                let pointLabel = ConfigurationSpec(point.penalties ?? [], settings: point.settings).generatedLabel
                let label = part.label.map { point.keys.isEmpty ? $0 : "\($0), \(pointLabel)" }
                built.append((ConfigurationSpec(penalties, settings: settings, label: label), part.node ?? point.node))
            }
        }
        var identities: [[UInt8]: Int] = [:], labels: [String: Int] = [:]
        for (index, item) in built.enumerated() {
            let line = { (other: Int) in built[other].node?.mark?.line ?? 0 }
            if let other = identities[item.spec.canonicalEncoding] {
                throw error(item.node, "this configuration is the same as the one at line \(line(other)) "
                            + "('\(oneLine(item.spec.label))'); each configuration must differ in a setting or a penalty")
            }
            if let other = labels[item.spec.label] {
                throw error(item.node, "label '\(oneLine(item.spec.label))' is given to two configurations (lines "
                            + "\(line(other)) and \(line(index))); labels must differ")
            }
            identities[item.spec.canonicalEncoding] = index
            labels[item.spec.label] = index
        }
        return built.map(\.spec)
    }

    /// The grid's points: the cross product of its lists, the first key outermost.
    func gridPoints(_ node: Node) throws -> [Part] {
        let entries = try mapping(node, key: "grid", allowed: SettingOverrides.keys + ["penalties"])
        guard !entries.items.isEmpty else {
            throw error(node, "grid must map at least one setting (\(SettingOverrides.keys.joined(separator: ", ")) or penalties) to a list of values")
        }
        var points = [Part(node: node)]
        for (key, keyNode, value) in entries.items {
            let values = try list(value, key: "grid.\(key)")
            points = try points.flatMap { point in
                try values.map { valueNode in
                    var next = point
                    next.keys.append(key)
                    next.node = keyNode
                    if key == "penalties" {
                        next.penalties = try penalties(valueNode, key: "penalties")
                    } else {
                        next.settings.set(key, try setting(valueNode, key: key))
                    }
                    return next
                }
            }
        }
        return points
    }
}

/// The entries of a map, in file order.
private struct Entries {
    var items: [(key: String, keyNode: Node, value: Node)] = []

    subscript(key: String) -> Node? { items.first { $0.key == key }?.value }
}

/// The Levenshtein distance between two words: how near an unknown key is to a known one.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var previous = Array(0...b.count)
    for i in 1...max(1, a.count) where !a.isEmpty {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in stride(from: 1, through: b.count, by: 1) {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
