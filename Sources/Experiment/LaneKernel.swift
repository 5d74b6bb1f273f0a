import CLaneMath
import Foundation
import LanesAVX2
import LanesAVX512
import NeuralNetwork
import TimeSeries

/// The compilations of the engine this build has: the same operations in the same order, so the same bits, on
/// vectors of different widths. The widest one the CPU runs is chosen when the program starts.
public enum LaneKernel: String, CaseIterable, Sendable {
    /// One run alone in a `Double`: any CPU.
    case scalar
    /// x86-64-v3 (AVX2): 4 runs per 256-bit register.
    case avx2
    /// x86-64-v4 (AVX-512): 8 runs per 512-bit register.
    case avx512

    /// Runs side by side.
    public var laneCount: Int {
        switch self {
        case .scalar: 1
        case .avx2: LanesAVX2.Lanes.laneCount
        case .avx512: LanesAVX512.Lanes.laneCount
        }
    }

    /// Whether this CPU (and its operating system) runs the kernel's instructions.
    public var isSupported: Bool {
        switch self {
        case .scalar: true
        case .avx2: Self.cpu.v3
        case .avx512: Self.cpu.v4
        }
    }

    private static let cpu = (v3: lane_cpu_supports_x86_64_v3() != 0, v4: lane_cpu_supports_x86_64_v4() != 0)

    /// The environment variable that picks a kernel by name (`scalar`, `avx2`, `avx512`) instead of the widest.
    public static let environmentVariable = "LSTMLAB_LANES"

    /// Why `LSTMLAB_LANES` cannot be followed (a name that is no kernel, or a kernel this CPU does not run), in one
    /// line; nil when it is unset, empty or can be.
    public static var environmentProblem: String? {
        guard let name = ProcessInfo.processInfo.environment[environmentVariable], !name.isEmpty else { return nil }
        let names = allCases.map(\.rawValue).joined(separator: ", ")
        guard let kernel = LaneKernel(rawValue: name) else {
            return "\(environmentVariable) '\(oneLine(name, limit: 40))' names no kernel: use one of \(names), or unset it"
        }
        guard kernel.isSupported else {
            return "\(environmentVariable) \(name): this CPU does not run the \(name) kernel; it runs "
                + allCases.filter(\.isSupported).map(\.rawValue).joined(separator: ", ")
        }
        return nil
    }

    /// The widest kernel this CPU runs, or the one `LSTMLAB_LANES` names if the CPU runs it. The choice never changes a
    /// result's bits, only the speed.
    public static let widest: LaneKernel = {
        if let name = ProcessInfo.processInfo.environment[environmentVariable], let chosen = LaneKernel(rawValue: name),
           chosen.isSupported {
            return chosen
        }
        return allCases.last { $0.isSupported } ?? .scalar
    }()

    /// The network of `laneCount` runs, compiled for this kernel's CPU. One run alone (`scalar`) runs the copy
    /// compiled for the widest instruction set the CPU has, whose scalar code is faster.
    /// - Parameter runs: `laneCount` runs.
    public func engine(settings: NetworkSettings, runs: [LaneRun]) -> LaneEngine {
        precondition(isSupported, "the CPU does not run the \(rawValue) kernel")
        precondition(runs.count == laneCount, "one run per lane")
        switch self == .scalar ? Self.widest : self {
        case .scalar: return LaneEngine(Double.self, settings: settings, runs: runs)
        case .avx2: return LanesAVX2.engine(settings: settings, runs: runs)
        case .avx512: return LanesAVX512.engine(settings: settings, runs: runs)
        }
    }
}
