import Experiment
import Foundation
import PropertyBased
import Synchronization
import Testing
import TimeSeries

// Fuzzing of the two readers of untrusted input: the CSV loader (`Series.load(csvData:)`, then the framing and the
// persistence forecast) and the Keras reference-dump reader (`KerasReference.decode`, then `networkSettings()` and,
// for a dump that passes validation, the whole comparison, which trains on it).
//
// The property: no input crashes (a trap would kill the test process), and every refusal is the module's typed error
// whose description is one non-empty line without control characters. Accepted inputs must also satisfy the loader's
// promises (finite values in range, one label per value, finite scaled rows).
//
// The inputs are mutations of the committed corpus (`Fixtures/fuzz-corpus`: valid CSVs, small trimmed Keras dumps,
// and known-bad ones), drawn with PropertyBased generators from a fixed seed, so every CI run executes the same
// inputs and a failure is reproduced by running the test again. Set `LSTMLAB_FUZZ_SEED=<n>` to explore other inputs,
// `LSTMLAB_FUZZ_INPUTS=<n>` for longer runs, and `LSTMLAB_FUZZ_TRACE=<file>` to write each input to a file before it
// runs (to catch the one that crashes).

/// The committed seeds of the fuzzer.
enum FuzzCorpus {
    static func files(_ folder: String) throws -> [(name: String, bytes: [UInt8])] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/fuzz-corpus/\(folder)", withExtension: nil),
                               "the fuzz corpus folder \(folder) is missing from the test bundle")
        let names = try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
        return try names.map { ($0, Array(try Data(contentsOf: url.appendingPathComponent($0)))) }
    }
}

/// One edit of an input, as drawn by the generators: what to do, where (a fraction of the length), how much, which
/// token and which other corpus seed.
struct Mutation: Sendable, CustomStringConvertible {
    var kind: Int
    var position: UInt32
    var otherPosition: UInt32
    var length: Int
    var token: Int

    var description: String { "kind \(kind) at \(position)/\(otherPosition) length \(length) token \(token)" }

    /// Byte strings that make parsers take unusual paths: numbers at and beyond every limit, non-numbers that look
    /// like numbers, JSON and CSV structure, control characters, a BOM, invalid UTF-8.
    static let tokens: [[UInt8]] = {
        let text = [
            "0", "-0", "1", "-1", "2", "3", "4", "-4", "7", "12", "1000", "1001", "1000000", "1000001", "65535",
            "2147483648", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "1e308", "1e309",
            "-1e309", "1e-320", "5e-324", "1.5", "1e100", "1e101", "1e-101", "0.1", "NaN", "Infinity", "-Infinity",
            "nan", "inf", "1e999", "0x10", "0x1p3", "1,234", "1 234", "1_000", "00012", ".5", "5.", "+5", "1e", "e5",
            "--1", "1.2.3", "\"\"", "[]", "[[]]", "[[1]]", "{}", "null", "true", ",", "\"", "\n", "\r\n", "\r", "\t", " ",
            "\u{0}", "\u{1b}", "\u{7f}", "\u{85}", "\u{FEFF}", "\u{2028}", "é", "\u{FFFD}", "[[[[[[[[", "]]]]", "\"a\nb\"",
            ",,,,", "\"1,234\"", String(repeating: "9", count: 400), "\"units\":", "\"batch_size\":", "\"epoch\":",
            "\"train_scaled\":", "\"initial_weights\":", "\"sigmoid\"", "\"hard_sigmoid_0.2\"", "Month,Sales\n",
        ].map { Array($0.utf8) }
        return text + [[0xFF], [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xC0, 0x80], [0xED, 0xA0, 0x80]]
    }()

    /// Numbers only, for `replaceNumber`.
    static let numberTokens: [Int] = tokens.indices.filter { index in
        tokens[index].first.map { ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") } ?? false
            || ["NaN", "Infinity", "nan", "inf", "null", "\"\"", "[]"].contains(String(decoding: tokens[index], as: UTF8.self))
    }

    static let kindCount = 10

    /// Applies the edit to `bytes`; `others` are the corpus seeds a splice may borrow from.
    func apply(to bytes: inout [UInt8], others: [[UInt8]]) {
        func at(_ raw: UInt32, _ count: Int) -> Int { count == 0 ? 0 : Int(raw % UInt32(count + 1)) }
        let position = at(self.position, bytes.count)
        let token = Self.tokens[self.token % Self.tokens.count]
        switch kind {
        case 0:  // flip one bit
            if position < bytes.count { bytes[position] ^= UInt8(1 << (length % 8)) }
        case 1:  // overwrite with a token
            let end = min(bytes.count, position + token.count)
            bytes.replaceSubrange(position..<end, with: token)
        case 2:  // insert a token
            bytes.insert(contentsOf: token, at: position)
        case 3:  // delete a range
            bytes.removeSubrange(position..<min(bytes.count, position + length))
        case 4:  // duplicate a range elsewhere
            let chunk = Array(bytes[position..<min(bytes.count, position + length * 4)])
            bytes.insert(contentsOf: chunk, at: at(otherPosition, bytes.count))
        case 5:  // splice: this input's head, another seed's tail
            let other = others[length % others.count]
            bytes = Array(bytes[..<position]) + Array(other[at(otherPosition, other.count)...])
        case 6:  // truncate
            bytes.removeSubrange(position...)
        case 7, 8:  // replace the next number (or the next JSON value after a colon) with a number-like token
            let numberToken = Self.tokens[Self.numberTokens[self.token % Self.numberTokens.count]]
            let isDigit: (UInt8) -> Bool = { $0 >= 48 && $0 <= 57 }
            guard let start = bytes[position...].firstIndex(where: kind == 7 ? isDigit : { $0 == UInt8(ascii: ":") })
            else { return }
            let valueStart = kind == 7 ? start : start + 1
            var end = valueStart
            let stops: Set<UInt8> = Set(",}]\n".utf8)
            let numberPart: Set<UInt8> = Set("0123456789.e-".utf8)
            while end < bytes.count, kind == 7 ? numberPart.contains(bytes[end]) : !stops.contains(bytes[end]) {
                end += 1
            }
            bytes.replaceSubrange(valueStart..<end, with: numberToken)
        default:  // insert random bytes, derived from the edit's own numbers
            var state = UInt64(self.position) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(otherPosition)
            let random = (0..<length).map { _ -> UInt8 in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: state >> 56)
            }
            bytes.insert(contentsOf: random, at: position)
        }
    }
}

/// The generators of the fuzzer: an input is a corpus seed and up to three edits (sometimes none, to keep the seeds
/// themselves in the mix), plus, for CSV, the column and header options the loader is called with.
enum FuzzGenerators {
    static let mutation = zip(
        Gen.int(in: 0...(Mutation.kindCount - 1)), Gen<UInt32>.value(in: 0...UInt32.max),
        Gen<UInt32>.value(in: 0...UInt32.max), Gen.int(in: 1...48), Gen.int(in: 0...(Mutation.tokens.count - 1))
    ).map { Mutation(kind: $0.0, position: $0.1, otherPosition: $0.2, length: $0.3, token: $0.4) }

    static func input(seeds: Int) -> Generator<(seed: Int, edits: [Mutation], option: Int), some SendableSequenceType> {
        zip(Gen.int(in: 0...(seeds - 1)), mutation.array(of: 0...3), Gen.int(in: 0...17))
            .map { (seed: $0.0, edits: $0.1, option: $0.2) }
    }
}

/// What a fuzz run found.
struct FuzzReport {
    var inputs = 0
    var accepted = 0
    var problems: [String] = []

    mutating func problem(_ text: String) {
        if problems.count < 20 { problems.append(text) }
    }
}

/// A message must be one non-empty line, free of control characters and of a sane length.
func isOneLine(_ message: String) -> Bool {
    !message.isEmpty && message.count < 2000
        && !message.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{2028}" || $0 == "\u{2029}" }
}

/// The fuzz targets: each returns nil when the property holds for the input, else what went wrong.
enum FuzzTargets {
    static let shampoo = Series.shampooSales()

    static func columnAndHeader(_ option: Int) -> (ColumnSelector, HeaderPolicy) {
        let columns: [ColumnSelector] = [.last, .index(0), .index(1), .name("Sales"), .name("Month"), .index(2)]
        return (columns[option % columns.count], HeaderPolicy.allCases[(option / columns.count) % HeaderPolicy.allCases.count])
    }

    /// The CSV loader, and what consumes its series: framing and the persistence forecast. `accepted`: the loader
    /// returned a series (whose promises were then checked).
    static func csv(_ bytes: [UInt8], option: Int) -> (problem: String?, accepted: Bool) {
        let (column, header) = columnAndHeader(option)
        let series: Series
        do {
            series = try Series.load(csvData: Data(bytes), source: "fuzz.csv", column: column, header: header)
        } catch let error as TimeSeriesError {
            return (isOneLine(error.description) ? nil : "not one line: \(error.description.debugDescription)", false)
        } catch {
            return ("untyped error \(type(of: error)): \(error)", false)
        }
        return (check(series, option: option), true)
    }

    /// The promises of a loaded series, and the framing and persistence forecast of it.
    private static func check(_ series: Series, option: Int) -> String? {
        guard series.labels.count == series.values.count, !series.values.isEmpty else { return "labels and values differ" }
        guard series.values.allSatisfy({ $0.isFinite && abs($0) <= SeriesLimits.largestMagnitude }) else {
            return "a value out of range was accepted: \(series.values)"
        }
        guard series.labels.allSatisfy({ !$0.unicodeScalars.contains { $0.value < 0x20 && $0 != "\t" } }) else {
            return "a label with a control character was accepted: \(series.labels)"
        }
        for framing in [FramingOptions(lag: 1, testSize: 1, batchSize: 1), FramingOptions(lag: 2, testSize: 2, batchSize: 2)] {
            do {
                let dataset = try SupervisedDataset(series: series, options: framing)
                let scaled = dataset.train.inputs + dataset.train.targets + dataset.test.inputs + dataset.test.targets
                guard scaled.allSatisfy(\.isFinite) else { return "non-finite scaled rows from \(series.values)" }
            } catch let error as TimeSeriesError {
                guard isOneLine(error.description) else { return "not one line: \(error.description.debugDescription)" }
            } catch {
                return "untyped framing error \(type(of: error)): \(error)"
            }
        }
        do {
            let (forecasts, observed) = try persistenceForecast(series, testSize: 1 + option % 3)
            guard rootMeanSquaredError(forecasts, observed).isFinite else { return "non-finite persistence RMSE" }
        } catch let error as TimeSeriesError {
            guard isOneLine(error.description) else { return "not one line: \(error.description.debugDescription)" }
        } catch {
            return "untyped persistence error \(type(of: error)): \(error)"
        }
        return nil
    }

    /// The reference-dump reader, and for a dump that validates, the comparison that trains on it.
    static func dump(_ bytes: [UInt8]) -> (problem: String?, accepted: Bool) {
        do {
            let reference = try KerasReference.decode(Data(bytes))
            let settings = try reference.networkSettings()
            guard settings.batchSize >= 1, settings.shape.units >= 1, settings.shape.lag >= 1 else {
                return ("accepted impossible settings \(settings)", true)
            }
            _ = try compareWithKeras(reference, series: shampoo)
            return (nil, true)
        } catch let error as ExperimentError {
            return (isOneLine(error.description) ? nil : "not one line: \(error.description.debugDescription)", false)
        } catch {
            return ("untyped error \(type(of: error)): \(error)", false)
        }
    }
}

/// Writes each input to `LSTMLAB_FUZZ_TRACE`.<target> (when set) before it runs, so that a crash leaves it behind.
struct FuzzTrace {
    let path: String?
    init(target: String) { path = ProcessInfo.processInfo.environment["LSTMLAB_FUZZ_TRACE"].map { "\($0).\(target)" } }
    func record(_ bytes: [UInt8], _ label: String) {
        guard let path else { return }
        try? Data(bytes).write(to: URL(fileURLWithPath: path))
        try? Data(label.utf8).write(to: URL(fileURLWithPath: path + ".label"))
    }
}

/// Runs `count` mutated inputs of `seeds` through `target`, deterministically from `seed`.
func fuzz(_ name: String, seeds: [(name: String, bytes: [UInt8])], count: Int, seed: UInt64,
          target: ([UInt8], Int) -> (problem: String?, accepted: Bool)) -> FuzzReport {
    var rng = Xoshiro(seed: (seed, seed ^ 0xA5A5_A5A5_A5A5_A5A5, ~seed, 0x1234_5678_9ABC_DEF0))
    let generator = FuzzGenerators.input(seeds: seeds.count)
    let others = seeds.map(\.bytes)
    let trace = FuzzTrace(target: name)
    var report = FuzzReport()
    for index in 0..<count {
        let input = generator.run(using: &rng)
        var bytes = seeds[input.seed].bytes
        for edit in input.edits { edit.apply(to: &bytes, others: others) }
        trace.record(bytes, "input \(index) from \(seeds[input.seed].name), option \(input.option), edits \(input.edits)")
        let outcome = target(bytes, input.option)
        report.inputs += 1
        if outcome.accepted { report.accepted += 1 }
        if let problem = outcome.problem {
            report.problem("input \(index) (\(seeds[input.seed].name), option \(input.option), edits \(input.edits)): \(problem)")
        }
    }
    return report
}

@Suite("Fuzzing the CSV loader and the Keras dump reader")
struct FuzzTests {
    static let seed = ProcessInfo.processInfo.environment["LSTMLAB_FUZZ_SEED"].flatMap(UInt64.init) ?? 20_170_401
    static let total = ProcessInfo.processInfo.environment["LSTMLAB_FUZZ_INPUTS"].flatMap(Int.init) ?? 200_000

    @Test("Mutated corpus inputs: no crash, every refusal a typed one-line error (≥ 100 000 inputs)")
    func mutatedCorpus() async throws {
        let csvSeeds = try FuzzCorpus.files("csv")
        let dumpSeeds = try FuzzCorpus.files("dumps")
        #expect(csvSeeds.count >= 10 && dumpSeeds.count >= 10)
        // The corpus itself: valid seeds are accepted, bad ones refused.
        for (name, bytes) in csvSeeds {
            let accepted = (try? Series.load(csvData: Data(bytes), source: name)) != nil
            #expect(accepted == name.hasPrefix("valid-"), "\(name)")
        }
        for (name, bytes) in dumpSeeds {
            #expect(FuzzTargets.dump(bytes).accepted == name.hasPrefix("valid-"), "\(name)")
        }
        // The dump target costs about three times a CSV input: split the inputs so both halves take similar time,
        // and run them on two cores at once.
        let dumpCount = Self.total * 3 / 10
        let csvCount = Self.total - dumpCount
        let start = Date()
        async let csvReport = Task.detached {
            fuzz("csv", seeds: csvSeeds, count: csvCount, seed: Self.seed) { FuzzTargets.csv($0, option: $1) }
        }.value
        async let dumpReport = Task.detached {
            fuzz("dump", seeds: dumpSeeds, count: dumpCount, seed: Self.seed &+ 1) { bytes, _ in FuzzTargets.dump(bytes) }
        }.value
        let (csv, dumps) = await (csvReport, dumpReport)
        let seconds = Date().timeIntervalSince(start)
        let inputs = csv.inputs + dumps.inputs
        print("fuzz: \(inputs) inputs (\(csv.inputs) CSV, \(csv.accepted) loaded; \(dumps.inputs) Keras dumps, "
              + "\(dumps.accepted) accepted and trained on), 0 crashes, \(csv.problems.count + dumps.problems.count) problems, "
              + String(format: "%.1f s, seed %llu", seconds, Self.seed))
        #expect(inputs >= 100_000 || ProcessInfo.processInfo.environment["LSTMLAB_FUZZ_INPUTS"] != nil)
        #expect(dumps.accepted > 0, "no mutated dump was valid: the trainer was never reached")
        #expect(csv.accepted > 0, "no mutated CSV loaded: the framing was never reached")
        for problem in csv.problems + dumps.problems { Issue.record(Comment(rawValue: problem)) }
    }

    /// Field-level edits of a valid dump, through PropertyBased's own runner (a fresh random seed each run; a failure
    /// prints the seed that reproduces it): any value in any numeric field is either accepted and trained on, or
    /// refused with one line naming the field.
    @Test("Any value in any field of a reference dump: validated, never a crash")
    func dumpFields() async throws {
        let seeds = try FuzzCorpus.files("dumps").filter { $0.name.hasPrefix("valid-") }
        let references = try seeds.map { try KerasReference.decode(Data($0.bytes)) }
        let integers = Gen.oneOf(Gen.int(in: -5...25), Gen.int(in: Int.min...Int.max),
                                 Gen.int(in: 990...1010), Gen.int(in: 999_990...1_000_010))
        let doubles = Gen.oneOf(Gen.double(in: -2...2), Gen.double(in: -1e300...1e300),
                                Gen.int(in: 0...5).map { [Double.nan, .infinity, -.infinity, 0, -0.0, Double.leastNormalMagnitude / 1024][$0] })
        let counted = Mutex(0)
        await propertyCheck(count: 400, input: Gen.int(in: 0...(references.count - 1)), Gen.int(in: 0...16),
                            integers, doubles) { which, field, integer, double in
            var reference = references[which]
            switch field {
            case 0: reference.units = integer
            case 1: reference.batch_size = integer
            case 2: reference.learning_rate = double
            case 3: reference.adam.beta_1 = double
            case 4: reference.adam.beta_2 = double
            case 5: reference.adam.epsilon = double
            case 6: reference.kernel_l1l2 = [double, abs(double)]
            case 7: reference.activity_l1l2 = integer % 2 == 0 ? nil : [double]
            case 8: reference.train_scaled = Array(reference.train_scaled.prefix(max(0, integer % 12)))
            case 9: reference.test_scaled[0][0] = double
            case 10: reference.epochs[0].epoch = integer
            case 11: reference.epochs[0].loss = double
            case 12: reference.epochs = Array(repeating: reference.epochs[0], count: max(0, integer % 4))
            case 13: reference.initial_weights[abs(integer % 5)] = .number(double)
            case 14: reference.test_predictions_scaled = Array(reference.test_predictions_scaled.prefix(max(0, integer % 6)))
            case 15: reference.test_rmse = double
            default: reference.train_scaled = reference.train_scaled.map { $0 + [double] }
            }
            counted.withLock { $0 += 1 }
            do {
                _ = try reference.networkSettings()
                _ = try compareWithKeras(reference, series: FuzzTargets.shampoo)
            } catch let error as ExperimentError {
                #expect(isOneLine(error.description), "\(error.description.debugDescription)")
            }
        }
        print("fuzz: \(counted.withLock { $0 }) field edits of reference dumps, 0 crashes")
    }

    /// CSV text built cell by cell from an alphabet of troublemakers, through PropertyBased's runner.
    @Test("Any CSV built from troublesome cells: loaded with its promises kept, or refused in one line")
    func generatedCSV() async {
        let cells: [String] = ["266.0", "-1", "0", "1e5", "1,234", "\"1,234\"", "abc", "", " ", "nan", "inf", "0x1F",
                               "1e999", "5e-324", "\"q\"\"uote\"", "\"a\nb\"", "12\u{0}3", "\u{FEFF}7", "1-01", "Sales",
                               "\"", "é", "\r", "9223372036854775807", "1e100", "-1e101"]
        let row = Gen.int(in: 0...(cells.count - 1)).array(of: 1...4).map { $0.map { cells[$0] }.joined(separator: ",") }
        let text = zip(row.array(of: 0...12), Gen.int(in: 0...2)).map { rows, ending in
            rows.joined(separator: ["\n", "\r\n", "\r"][ending])
        }
        let counted = Mutex(0)
        await propertyCheck(count: 600, input: text, Gen.int(in: 0...17)) { text, option in
            counted.withLock { $0 += 1 }
            let problem = FuzzTargets.csv(Array(text.utf8), option: option).problem
            #expect(problem == nil, "\(text.debugDescription): \(problem ?? "")")
        }
        print("fuzz: \(counted.withLock { $0 }) generated CSV texts, 0 crashes")
    }
}
