import Experiment
import Foundation
import GRDB
import NeuralNetwork
import Testing

/// The engine compiled for each CPU (`LaneKernel`): the widest one the CPU runs is chosen when lstmlab starts, and the
/// bits never depend on the choice. Other CPUs are emulated with qemu-user (`scripts/setup.sh test` installs it):
/// Haswell has AVX2 but no AVX-512, Nehalem neither; an instruction the emulated CPU lacks stops the program (SIGILL).
@Suite("The engine on CPUs with and without AVX2 and AVX-512")
struct EngineCPUTests {
    @Test("The scalar kernel runs everywhere; the widest supported kernel is the default; LSTMLAB_LANES names one")
    func kernelChoice() {
        #expect(LaneKernel.scalar.isSupported && LaneKernel.scalar.laneCount == 1)
        #expect(LaneKernel.avx2.laneCount == 4 && LaneKernel.avx512.laneCount == 8)
        #expect(!LaneKernel.avx512.isSupported || LaneKernel.avx2.isSupported)
        let widest = LaneKernel.allCases.last { $0.isSupported }!
        let named = ProcessInfo.processInfo.environment[LaneKernel.environmentVariable].flatMap(LaneKernel.init(rawValue:))
        #expect(LaneKernel.widest == (named.map { $0.isSupported ? $0 : widest } ?? widest))
        #expect(Runner(trainer: try! Trainer(series: .shampooSales(), training: TrainingSettings(epochs: 1)), jobs: 1)
            .kernel == LaneKernel.widest)
    }

    /// The kernel's runs per vector as `lstmlab` records it in each run's engine.
    static func recordedEngine(_ archive: String) throws -> String {
        var configuration = Configuration()
        configuration.readonly = true
        let engines = try DatabaseQueue(path: archive, configuration: configuration).read { database in
            try String.fetchAll(database, sql: "SELECT DISTINCT engine FROM run")
        }
        return engines.joined(separator: "; ")
    }

    @Test("Emulated CPUs without AVX-512 or AVX2 train with 4 lanes or one run alone, and archive the same bits",
          .timeLimit(.minutes(5)))
    func emulatedCPUs() throws {
        let qemu = URL(fileURLWithPath: "/usr/bin/qemu-x86_64")
        try #require(FileManager.default.isExecutableFile(atPath: qemu.path),
                     "qemu-user is missing: run scripts/setup.sh test")
        let lstmlab = try TestSupport.lstmlabExecutable()
        let folder = try TestSupport.temporaryDirectory()
        let experiment = ["run", "bias", "--epochs", "12", "--repeats", "3", "--seed", "5", "--archive"]
        var environment = ProcessInfo.processInfo.environment
        environment[LaneKernel.environmentVariable] = nil
        let native = folder.appendingPathComponent("native.sqlite").path
        let trained = try TestSupport.runProcess(lstmlab, experiment + [native], in: folder, environment: environment)
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(try Self.recordedEngine(native).hasSuffix("\(LaneKernel.widest.laneCount == 1 ? "one run alone" : "\(LaneKernel.widest.laneCount) lanes")"))
        for (cpu, engine) in [("Haswell", "4 lanes"), ("Nehalem", "one run alone")] {
            let archive = folder.appendingPathComponent("\(cpu).sqlite").path
            let emulated = try TestSupport.runProcess(qemu, ["-cpu", cpu, lstmlab.path] + experiment + [archive],
                                                      in: folder, environment: environment)
            #expect(emulated.status == 0, "\(cpu): \(emulated.stderr.suffix(400))")
            #expect(try Self.recordedEngine(archive).hasSuffix(engine), "\(cpu)")
            let diff = try TestSupport.runProcess(lstmlab, ["diff", native, archive], in: folder, environment: environment)
            #expect(diff.status == 0 && diff.stdout.hasPrefix("identical"), "\(cpu): \(diff.stdout) \(diff.stderr)")
        }
    }
}
