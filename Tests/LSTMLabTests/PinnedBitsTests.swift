import Experiment
import NeuralNetwork
import Testing
import TimeSeries

/// Every epoch of two short runs pinned to the bit patterns this numerics version computes. The numbers depend only
/// on our code and IEEE-754 arithmetic, so any machine, OS or compiler that computes a different bit fails here
/// loudly (and `reproduce` would fail on it too). If the numerics change on purpose, `numericsVersion` must change
/// with these pins.
@Suite("Pinned bits of short runs")
struct PinnedBitsTests {
    /// 12 epochs of `kernel L1L2(0.01,0.01) + activity L1L2(0.001,0.001)`, repeat 0, seed 2017, per profile.
    static func run(_ profile: KerasProfile) throws -> RunResult {
        let training = TrainingSettings(profile: profile, epochs: 12)
        let configuration = ConfigurationSpec([(.kernel, L1L2(l1: 0.01, l2: 0.01)), (.activity, L1L2(l1: 0.001, l2: 0.001))])
        let spec = ExperimentSpec(name: "pinned", preset: "custom", seed: 2017, repeats: 1, training: training,
                                  configurations: [configuration])
        return try Trainer(series: .shampooSales(), training: training).train(spec.runs[0])
    }

    /// FNV-1a over the bit patterns of doubles, as 8 little-endian bytes each.
    static func digest(_ values: [Double]) -> UInt64 {
        fnv1a64(bytes: values.flatMap { value in (0..<8).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * $0)) } })
    }

    static func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16, uppercase: true) }

    @Test("Every epoch's train RMSE, test RMSE and loss, and the final weights, bit for bit", arguments: KerasProfile.allCases)
    func pinned(profile: KerasProfile) throws {
        let result = try Self.run(profile)
        #expect(numericsVersion == 2, "the pins below are those of numerics version 2")
        let curve = result.curve.flatMap { [$0.trainRMSE, $0.testRMSE, $0.loss] }
        let pins = Self.pins[profile]!
        #expect(result.curve.count == 12)
        let observed = (curve: Self.hex(Self.digest(curve)), weights: Self.hex(Self.digest(result.finalParameters)),
                        last: result.curve.last.map { [$0.trainRMSE, $0.testRMSE, $0.loss].map { Self.hex($0.bitPattern) } } ?? [])
        #expect(observed.curve == pins.curve, "curve digest \(observed.curve); last epoch \(observed.last)")
        #expect(observed.weights == pins.weights, "weights digest \(observed.weights)")
        #expect(observed.last == pins.last, "last epoch \(observed.last)")
    }

    static let pins: [KerasProfile: (curve: String, weights: String, last: [String])] = [
        .keras2: (curve: "0xBCE2808881917141", weights: "0x9DCC551080E2E1A7",
                  last: ["0x40545570007460E5", "0x405EF3EF05964531", "0x3FCF8935B36E2680"]),
        .keras3: (curve: "0xD0B65B1B61A83532", weights: "0x7311C1412582C7D9",
                  last: ["0x40545D196869F57D", "0x405F042727991A9B", "0x3FCF90AB1B70530B"]),
    ]
}
