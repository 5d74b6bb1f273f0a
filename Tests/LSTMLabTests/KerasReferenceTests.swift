import Experiment
import Foundation
import NeuralNetwork
import Testing
import TimeSeries

@Suite("Keras reference dumps")
struct KerasReferenceTests {
    @Test("Training from the dump's initial weights reproduces Keras to 1e-9", arguments: TestSupport.fixtureNames)
    func matchesKeras(fixture: String) throws {
        let reference = try KerasReference.load(path: try TestSupport.fixturePath(fixture))
        let comparison = try compareWithKeras(reference)
        #expect(comparison.weightDeviations.count == reference.epochs.count)
        #expect(comparison.lossDeviations.count == reference.epochs.count)
        #expect(!reference.epochs.isEmpty)
        #expect(comparison.largestDeviation <= 1e-9, "largest deviation \(comparison.largestDeviation)")
        let forecast = try #require(comparison.forecastDeviation, "forecasts were not compared")
        let rmse = try #require(comparison.rmseDeviation, "the test RMSE was not compared")
        // Forecasts are in sales units (hundreds): 1e-9 in scaled units is at most ~1e-7 in sales.
        #expect(forecast <= 1e-6)
        #expect(rmse <= 1e-6)
    }

    @Test("The dumps decode into the settings they state")
    func decodedSettings() throws {
        let golden = try KerasReference.load(path: try TestSupport.fixturePath("keras-golden-3epochs"))
        let settings = try golden.networkSettings()
        #expect(settings.shape == NetworkShape(lag: 1, units: 3))
        #expect(settings.recurrentActivation == .sigmoid)
        #expect(settings.adam.epsilon == 1e-7)
        #expect(settings.adam.learningRate == 0.001)
        #expect(settings.batchSize == 4)
        #expect(settings.regularization == Regularization(kernel: L1L2(l1: 0, l2: 0.01)))
        #expect(golden.epochs.count == 3)
        #expect(golden.train_scaled.count == 20)
        #expect(golden.test_scaled.count == 12)

        let hard = try KerasReference.load(path: try TestSupport.fixturePath("keras-hard-sigmoid-all-penalties"))
        let hardSettings = try hard.networkSettings()
        #expect(hardSettings.recurrentActivation == .hardSigmoid)
        #expect(hardSettings.regularization.kernel == L1L2(l1: 0.01, l2: 0.01))
        #expect(hardSettings.regularization.recurrentKernel == L1L2(l1: 0.01, l2: 0))
        #expect(hardSettings.regularization.bias == L1L2(l1: 0, l2: 0.01))

        let activity = try KerasReference.load(path: try TestSupport.fixturePath("keras-activity-lag2"))
        let activitySettings = try activity.networkSettings()
        #expect(activitySettings.shape == NetworkShape(lag: 2, units: 2))
        #expect(activitySettings.regularization.activity == L1L2(l1: 0.01, l2: 0.01))
        #expect(activitySettings.activityPenaltyDividedByBatch)
    }

    @Test("A wrong epsilon makes the comparison fail")
    func wrongEpsilonIsDetected() throws {
        var reference = try KerasReference.load(path: try TestSupport.fixturePath("keras-golden-3epochs"))
        #expect(reference.adam.epsilon == 1e-7)
        reference.adam.epsilon = 1e-8
        let comparison = try compareWithKeras(reference)
        #expect(comparison.largestDeviation > 1e-8, "largest deviation \(comparison.largestDeviation)")
    }

    @Test("A wrong penalty makes the comparison fail")
    func wrongPenaltyIsDetected() throws {
        var reference = try KerasReference.load(path: try TestSupport.fixturePath("keras-golden-3epochs"))
        reference.kernel_l1l2 = [0, 0.02]
        #expect(try compareWithKeras(reference).largestDeviation > 1e-8)

        var noActivity = try KerasReference.load(path: try TestSupport.fixturePath("keras-activity-lag2"))
        noActivity.activity_l1l2 = nil
        #expect(try compareWithKeras(noActivity).largestDeviation > 1e-8)
    }

    @Test("A wrong recurrent activation makes the comparison fail")
    func wrongActivationIsDetected() throws {
        var reference = try KerasReference.load(path: try TestSupport.fixturePath("keras-hard-sigmoid-all-penalties"))
        reference.recurrent_activation = RecurrentActivation.sigmoid.rawValue
        #expect(try compareWithKeras(reference).largestDeviation > 1e-8)
    }

    @Test("An edited JSON dump (epsilon changed in the file) fails the check")
    func editedJSONIsDetected() throws {
        let path = try TestSupport.fixturePath("keras-golden-3epochs")
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        // Change the dump's epsilon in the JSON text itself, as a user editing the file would.
        var adam = try #require(object["adam"] as? [String: Any])
        adam["epsilon"] = 1e-3
        object["adam"] = adam
        let edited = try TestSupport.temporaryFile(
            String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self),
            name: "edited", extension: "json")
        let reference = try KerasReference.load(path: edited)
        #expect(reference.adam.epsilon == 1e-3)
        #expect(try compareWithKeras(reference).largestDeviation > 1e-8)
    }

    @Test("Loading a missing or malformed dump throws a one-line error naming the file")
    func badDumps() throws {
        let missing = TestSupport.missingPath()
        do {
            _ = try KerasReference.load(path: missing)
            Issue.record("loading a missing dump did not throw")
        } catch {
            let message = String(describing: error)
            #expect(message.contains(missing))
            #expect(!message.contains("\n"))
        }
        let malformed = try TestSupport.temporaryFile("{\"units\": 3}", name: "partial", extension: "json")
        do {
            _ = try KerasReference.load(path: malformed)
            Issue.record("loading a partial dump did not throw")
        } catch {
            let message = String(describing: error)
            #expect(message.contains(malformed))
            #expect(!message.contains("\n"))
        }
    }
}

@Suite("Keras reference dumps of the study family")
struct FamilyKerasReferenceTests {
    @Test("Replaying the masks and row orders matters: without them a dump is not reproduced",
          arguments: TestSupport.familyFixtureNames.filter { $0.contains("dropout") || $0.contains("shuffle") })
    func replayMatters(fixture: String) throws {
        var reference = try KerasReference.load(path: try TestSupport.fixturePath(fixture))
        #expect(try compareWithKeras(reference).largestDeviation <= 1e-9)
        // Other masks and orders Keras could have drawn: each batch given the next batch's masks, each epoch the rows
        // in reverse.
        reference.masks = reference.masks.map { epochs in epochs.map { batches in batches.indices.map { batches[($0 + 1) % batches.count] } } }
        reference.permutations = reference.permutations.map { $0.map { $0.reversed() } }
        #expect(try compareWithKeras(reference).largestDeviation > 1e-6, "\(fixture) passes with other randomness")
    }

    /// `numbers` with every value replaced by `transform`'s.
    static func mapped(_ numbers: NestedNumbers, _ transform: (Double) -> Double) -> NestedNumbers {
        switch numbers {
        case .number(let value): .number(transform(value))
        case .array(let items): .array(items.map { mapped($0, transform) })
        }
    }

    @Test("A dump's masks, row orders and lag are checked against its rates and settings: each fault one line naming the field")
    func randomnessValidated() throws {
        let dropout = try KerasReference.load(path: try TestSupport.fixturePath("keras3-dropout-3epochs"))
        let both = try KerasReference.load(path: try TestSupport.fixturePath("keras2-dropout-recurrent-dropout-3epochs"))
        let shuffled = try KerasReference.load(path: try TestSupport.fixturePath("keras3-stateless-shuffle-3epochs"))
        #expect(dropout.mask_draw == "one" && dropout.dropout == 0.4 && both.mask_draw == "per-gate" && shuffled.shuffle == true)
        let kept = 1 / (1 - 0.4)
        func fault(_ reference: KerasReference, _ edit: (inout KerasReference) -> Void) -> String {
            var edited = reference
            edit(&edited)
            do {
                try edited.validate()
                return "accepted"
            } catch {
                return String(describing: error)
            }
        }
        let cases: [(String, String)] = [
            (fault(dropout) { $0.masks![0][0].input![0] = Self.mapped($0.masks![0][0].input![0]) { _ in 0.5 } },
             "masks[0][0].input[0] holds 0.5 where a mask holds 0 or 1/(1 − dropout)"),
            (fault(dropout) { $0.masks![0][0].input![1] = Self.mapped($0.masks![0][0].input![1]) { $0 == 0 ? kept : 0 } },
             "masks[0][0].input holds 4 different masks where mask_draw 'one'"),
            (fault(dropout) { $0.mask_draw = "two" }, "mask_draw must be one or per-gate, got 'two'"),
            (fault(dropout) { $0.mask_draw = nil }, "mask_draw is missing"),
            (fault(dropout) { $0.masks = nil }, "masks are missing: with dropout 0.4"),
            (fault(dropout) { $0.dropout = 0 }, "masks are given but dropout and recurrent_dropout are 0"),
            (fault(dropout) { $0.masks!.append($0.masks![0]) }, "masks hold 4 epoch(s) where the dump trained 3"),
            (fault(dropout) { $0.masks![1].removeLast() }, "masks[1] hold 4 batch(es) where 5 were trained"),
            (fault(dropout) { $0.masks![0][0].recurrent = $0.masks![0][0].input }, "masks[0][0].recurrent is given where recurrent_dropout is 0"),
            (fault(both) { $0.masks![2][1].recurrent = nil }, "masks[2][1].recurrent is missing where recurrent_dropout is 0.2"),
            (fault(both) { $0.masks![0][0].input!.removeLast() }, "masks[0][0].input must be 4 masks (gates i, f, c, o) of 4 × 1 values"),
            (fault(shuffled) { $0.shuffle = false }, "permutations are given but shuffle is not true"),
            (fault(shuffled) { $0.permutations = nil }, "permutations are missing"),
            (fault(shuffled) { $0.permutations!.removeLast() }, "permutations hold 2 epoch(s) where the dump trained 3"),
            (fault(shuffled) { $0.permutations![1][0] = $0.permutations![1][1] }, "permutations[1] is not an order of the 22 training rows"),
            (fault(shuffled) { $0.lag = 2 }, "lag is 2 but the rows of train_scaled hold 1 input value(s)"),
        ]
        for (message, expected) in cases {
            #expect(message.hasPrefix("reference dump: ") && message.contains(expected) && !message.contains("\n"),
                    "expected '\(expected)', got '\(message)'")
        }
        for reference in [dropout, both, shuffled] { #expect(fault(reference) { _ in } == "accepted") }
    }

    @Test("Each family dump states its settings, and changing one makes the comparison fail")
    func settingsMatter() throws {
        var timesteps = try KerasReference.load(path: try TestSupport.fixturePath("keras3-timesteps-lag3-3epochs"))
        #expect(try timesteps.networkSettings().shape == NetworkShape(lag: 1, units: 1, timesteps: 3))
        timesteps.lag_as = "features"
        #expect(throws: ExperimentError.self) { try compareWithKeras(timesteps) }

        var walk = try KerasReference.load(path: try TestSupport.fixturePath("keras3-walk-forward-seeded-batch4-3epochs"))
        #expect(walk.rowsPerPrediction == 1 && walk.seed_state == true)
        walk.seed_state = false
        #expect(try compareWithKeras(walk).predictionDeviation > 1e-6)

        var stateless = try KerasReference.load(path: try TestSupport.fixturePath("keras3-stateless-shuffle-3epochs"))
        #expect(try stateless.networkSettings().stateful == false)
        stateless.stateful = true
        #expect(try compareWithKeras(stateless).largestDeviation > 1e-6)
    }
}
