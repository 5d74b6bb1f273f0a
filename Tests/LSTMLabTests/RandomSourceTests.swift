import Experiment
import Foundation
import NeuralNetwork
import Testing

// Reference values were computed once with an independent Python implementation of SplitMix64 seeding and
// xoshiro256** (Blackman & Vigna), written from the published algorithms (M = 2**64 − 1):
//
//   def sm(st):  st = (st + 0x9E3779B97F4A7C15) & M; return st, fin(st)
//   def fin(z):  z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
//                z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M; return z ^ (z >> 31)
//   rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & M
//   def xo(seed, n):  # state s[0..3] = four successive sm() outputs from `seed`
//       r = (rotl((s[1] * 5) & M, 7) * 9) & M; t = (s[1] << 17) & M
//       s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45)
//   def fnv(text): h = 0xCBF29CE484222325; for b in text.encode(): h ^= b; h = (h * 0x100000001B3) & M
//   seed(e, l, r) = fin(e ^ fin(fnv(l) ^ fin(r))) & 0x7FFFFFFFFFFFFFFF
//   normal(a, b) = math.sqrt(-2 * math.log(((a >> 11) + 1) * 2.0**-53)) * math.cos(2 * math.pi * (b >> 11) * 2.0**-53)

@Suite("RandomSource, hashes and run seeds")
struct RandomSourceTests {
    @Test("xoshiro256** seeded by SplitMix64 gives the reference stream")
    func referenceStream() {
        var zero = RandomSource(seed: 0)
        let zeroStream = (0..<3).map { _ in zero.next() }
        #expect(zeroStream == [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0])
        var study = RandomSource(seed: 2017)
        let studyStream = (0..<3).map { _ in study.next() }
        #expect(studyStream == [0x6615_BFC1_9374_EBA8, 0x2D23_D49F_E7DB_2DE4, 0x5182_A18C_EF74_28C0])
        // nextUnit = (next >> 11)·2⁻⁵³: [(v >> 11) * 2.0**-53 for v in xo(2017, 3)]
        var units = RandomSource(seed: 2017)
        let unitStream = (0..<3).map { _ in units.nextUnit() }
        #expect(unitStream == [0.3987693641278899, 0.1763279810328241, 0.31839952174000585])
        // Box–Muller over pairs of outputs: normal(*xo(2017, 4)[0:2]), normal(*xo(2017, 4)[2:4])
        var normals = RandomSource(seed: 2017)
        let firstNormal = normals.nextStandardNormal(), secondNormal = normals.nextStandardNormal()
        #expect(abs(firstNormal - 0.6055099412210876) <= 1e-15)
        #expect(abs(secondNormal - -0.24966110913688314) <= 1e-15)
    }

    @Test("Same seed → same stream; different seeds → different streams")
    func seeding() {
        var a = RandomSource(seed: 12345), b = RandomSource(seed: 12345), c = RandomSource(seed: 12346)
        let streamA = (0..<1000).map { _ in a.next() }
        let streamB = (0..<1000).map { _ in b.next() }
        let streamC = (0..<1000).map { _ in c.next() }
        #expect(streamA == streamB)
        #expect(streamA != streamC)
        // Not merely shifted or mostly equal: no position agrees.
        #expect(zip(streamA, streamC).allSatisfy { $0 != $1 })
        #expect(Set(streamA).count == 1000)
        // A copy continues the same stream independently (value semantics).
        var original = RandomSource(seed: 9)
        _ = original.next()
        var copy = original
        let fromOriginal = (0..<5).map { _ in original.next() }
        let fromCopy = (0..<5).map { _ in copy.next() }
        #expect(fromOriginal == fromCopy)
    }

    @Test("Uniforms lie in [0, 1) and [low, high), normals have mean ≈ 0 and variance ≈ 1")
    func distributions() {
        var random = RandomSource(seed: 424242)
        let units = (0..<20_000).map { _ in random.nextUnit() }
        #expect(units.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean = units.reduce(0, +) / Double(units.count)
        // Standard error of the mean of U(0,1) over 20000 draws: √(1/12/20000) ≈ 0.002.
        #expect(abs(mean - 0.5) < 0.01)
        #expect(units.min()! < 0.001 && units.max()! > 0.999)
        // Ten equal bins each hold about 2000 draws.
        var bins = [Int](repeating: 0, count: 10)
        for u in units { bins[Int(u * 10)] += 1 }
        #expect(bins.allSatisfy { abs($0 - 2000) < 200 })

        let uniforms = (0..<5000).map { _ in random.nextUniform(-0.3, 0.7) }
        #expect(uniforms.allSatisfy { $0 >= -0.3 && $0 < 0.7 })

        let normals = (0..<20_000).map { _ in random.nextStandardNormal() }
        let normalMean = normals.reduce(0, +) / Double(normals.count)
        let variance = normals.reduce(0) { $0 + ($1 - normalMean) * ($1 - normalMean) } / Double(normals.count - 1)
        #expect(normals.allSatisfy { $0.isFinite })
        #expect(abs(normalMean) < 0.03)
        #expect(abs(variance - 1) < 0.05)
    }

    @Test("SplitMix64 finaliser and FNV-1a reference values")
    func hashes() {
        // fin(0), fin(1), fin(0x123456789)
        #expect(splitMix64Finalize(0) == 0)
        #expect(splitMix64Finalize(1) == 0x5692_161D_100B_05E5)
        #expect(splitMix64Finalize(0x1_2345_6789) == 0x5189_F682_B434_CAF2)
        // FNV-1a 64 published test vectors: "" → offset basis, "a" → 0xaf63dc4c8601ec8c.
        #expect(fnv1a64("") == 0xCBF2_9CE4_8422_2325)
        #expect(fnv1a64("a") == 0xAF63_DC4C_8601_EC8C)
        #expect(fnv1a64("L1L2(0.00,0.00)") == 0x05F8_D5C4_2E1C_4917)  // fnv("L1L2(0.00,0.00)")
    }

    @Test("deriveRunSeed follows its formula over the canonical encoding and depends on each input")
    func runSeeds() {
        // Computed independently (Python: struct.pack(">d"), FNV-1a 64, SplitMix64's finaliser):
        // seed(2017, baseline, 0), seed(2017, baseline, 1), seed(7, kernel L1L2(0.01,0.01), 3).
        #expect(deriveRunSeed(experimentSeed: 2017, configuration: .baseline, repeatIndex: 0) == 7_304_999_445_894_002_394)
        #expect(deriveRunSeed(experimentSeed: 2017, configuration: .baseline, repeatIndex: 1) == 4_919_756_357_977_085_646)
        let both = ConfigurationSpec.single(.kernel, L1L2(l1: 0.01, l2: 0.01))
        #expect(deriveRunSeed(experimentSeed: 7, configuration: both, repeatIndex: 3) == 7_157_694_808_690_907_469)
        // Naming a place with a zero penalty is a configuration of its own (the study's unregularized table rows).
        #expect(deriveRunSeed(experimentSeed: 2017, configuration: .single(.kernel, .none), repeatIndex: 0)
                == 8_745_729_367_827_523_428)

        let l1Only = ConfigurationSpec.single(.kernel, L1L2(l1: 0.01, l2: 0))
        let base = deriveRunSeed(experimentSeed: 2017, configuration: l1Only, repeatIndex: 4)
        #expect(base == deriveRunSeed(experimentSeed: 2017, configuration: l1Only, repeatIndex: 4))
        #expect(base != deriveRunSeed(experimentSeed: 2018, configuration: l1Only, repeatIndex: 4))
        #expect(base != deriveRunSeed(experimentSeed: 2017, configuration: .single(.kernel, L1L2(l1: 0, l2: 0.01)), repeatIndex: 4))
        #expect(base != deriveRunSeed(experimentSeed: 2017, configuration: .single(.bias, L1L2(l1: 0.01, l2: 0)), repeatIndex: 4))
        #expect(base != deriveRunSeed(experimentSeed: 2017, configuration: l1Only, repeatIndex: 5))
        // 30 repeats × 4 configurations × 3 seeds: all distinct.
        var seeds = Set<UInt64>()
        for experimentSeed: UInt64 in [0, 1, 2017] {
            for configuration in Preset.input.configurations {
                for repeatIndex in 0..<30 {
                    seeds.insert(deriveRunSeed(experimentSeed: experimentSeed, configuration: configuration,
                                               repeatIndex: repeatIndex))
                }
            }
        }
        #expect(seeds.count == 3 * 4 * 30)
        // The top bit is cleared, so every seed is a non-negative Int64 (SQLite, pandas).
        #expect(seeds.allSatisfy { $0 <= UInt64(Int64.max) })
        // A seed whose unmasked mix has the top bit set: fin(0 ^ fin(fnv("") ^ fin(0))) has it; masked it is
        // 662812571484460558.
        #expect(deriveRunSeed(experimentSeed: 0, configuration: .baseline, repeatIndex: 0) == 662_812_571_484_460_558)
    }

    @Test("The canonical encoding is the places and coefficient bits, whatever the label or the order given")
    func canonicalEncoding() {
        let l1Only = ConfigurationSpec.single(.kernel, L1L2(l1: 0.01, l2: 0))
        // "kernel=" 0.01 (3f847ae147ae147b) 0.0 ";"
        let expected: [UInt8] = Array("kernel=".utf8) + [0x3F, 0x84, 0x7A, 0xE1, 0x47, 0xAE, 0x14, 0x7B]
            + [UInt8](repeating: 0, count: 8) + [UInt8(ascii: ";")]
        #expect(l1Only.canonicalEncoding == expected)
        #expect(ConfigurationSpec.baseline.canonicalEncoding.isEmpty)
        // −0 is +0; the order places are given in does not matter.
        #expect(ConfigurationSpec.single(.kernel, L1L2(l1: 0.01, l2: -0.0)).canonicalEncoding == expected)
        let both = L1L2(l1: 0.01, l2: 0.01)
        #expect(ConfigurationSpec([(.bias, both), (.kernel, both)]) == ConfigurationSpec([(.kernel, both), (.bias, both)]))
        #expect(ConfigurationSpec([(.bias, both), (.kernel, both)]).label == "kernel L1L2(0.01,0.01) + bias L1L2(0.01,0.01)")
        // Two coefficients that print alike but differ in their bits are different configurations.
        let nearly = ConfigurationSpec.single(.kernel, L1L2(l1: 0.01.nextUp, l2: 0))
        #expect(nearly.canonicalEncoding != l1Only.canonicalEncoding)
        #expect(deriveRunSeed(experimentSeed: 1, configuration: nearly, repeatIndex: 0)
                != deriveRunSeed(experimentSeed: 1, configuration: l1Only, repeatIndex: 0))
    }

    @Test("Configurations archived by lstmlab 0.1 (a label and a full regularization) decode to the same configuration")
    func legacyConfigurationJSON() throws {
        let legacy = #"{"label":"kernel L1L2(0.01,0.01) + bias L1L2(0.00,0.00)","regularization":{"activity":{"l1":0,"l2":0},"bias":{"l1":0,"l2":0},"kernel":{"l1":0.01,"l2":0.01},"recurrentKernel":{"l1":0,"l2":0}}}"#
        let decoded = try JSONDecoder().decode(ConfigurationSpec.self, from: Data(legacy.utf8))
        #expect(decoded == ConfigurationSpec([(.kernel, L1L2(l1: 0.01, l2: 0.01)), (.bias, .none)]))
        let baseline = #"{"label":"L1L2(0.00,0.00)","regularization":{"activity":{"l1":0,"l2":0},"bias":{"l1":0,"l2":0},"kernel":{"l1":0,"l2":0},"recurrentKernel":{"l1":0,"l2":0}}}"#
        #expect(try JSONDecoder().decode(ConfigurationSpec.self, from: Data(baseline.utf8)) == .baseline)
        // The current form round-trips.
        let current = try JSONEncoder().encode(decoded)
        #expect(try JSONDecoder().decode(ConfigurationSpec.self, from: current) == decoded)
    }

    @Test("Configuration labels, part of every run seed, are the study's")
    func labels() {
        #expect(Preset.baseline.configurations.map(\.label) == ["L1L2(0.00,0.00)"])
        #expect(Preset.input.configurations.map(\.label)
                == ["kernel L1L2(0.00,0.00)", "kernel L1L2(0.01,0.00)", "kernel L1L2(0.00,0.01)", "kernel L1L2(0.01,0.01)"])
        #expect(Preset.activity.configurations.map(\.label).contains("activity L1L2(0.001,0.00)"))
        #expect(Preset.inputGrid.configurations.count == 36)
        #expect(Preset.combined.configurations.map(\.label).contains("kernel L1L2(0.01,0.01) + bias L1L2(0.01,0.01)"))
        #expect(Preset.combined.configurations.map(\.label)
                .contains("kernel L1L2(0.01,0.01) + recurrent L1L2(0.01,0.01) + bias L1L2(0.01,0.01)"))
        for preset in Preset.allCases {
            let labels = preset.configurations.map(\.label)
            #expect(Set(labels).count == labels.count, "duplicate labels in \(preset.rawValue)")
        }
    }

    @Test("An experiment's runs carry the derived seeds, configuration by configuration, repeat by repeat")
    func experimentRuns() {
        let spec = Preset.bias.experiment(seed: 99, repeats: 3, training: TrainingSettings(epochs: 2))
        let runs = spec.runs
        #expect(runs.count == 12)
        for (index, run) in runs.enumerated() {
            let configuration = spec.configurations[index / 3]
            #expect(run.configuration.configuration == configuration)
            #expect(run.repeatIndex == index % 3)
            #expect(run.experiment == "bias-keras2")
            #expect(run.runSeed == deriveRunSeed(experimentSeed: 99, configuration: configuration, repeatIndex: index % 3))
        }
    }
}
