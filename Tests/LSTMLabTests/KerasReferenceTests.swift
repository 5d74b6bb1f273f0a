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
        reference.masks = reference.masks.map { $0.map { $0.map { _ in KerasReference.BatchMasks(input: nil, recurrent: nil) } } }
        reference.permutations = nil
        #expect(try compareWithKeras(reference).largestDeviation > 1e-6, "\(fixture) passes without its randomness")
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
