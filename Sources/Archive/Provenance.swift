import Experiment
import Foundation
import NeuralNetwork

/// Where and with what an experiment was run: recorded with it in the archive (never in notebooks).
public struct Provenance: Sendable, Equatable, Codable {
    public var productVersion: String
    public var gitCommit: String
    public var host: String
    public var operatingSystem: String
    public var cpuModel: String
    public var swiftVersion: String

    /// The provenance of this process, worked out once; the commit is the one this binary was built from
    /// (`buildCommit`, recorded at build time), so a copy of the binary far from its checkout still knows it.
    public static func current(productVersion: String = lstmlabVersion) -> Provenance {
        var provenance = thisProcess
        provenance.productVersion = productVersion
        return provenance
    }

    private static let thisProcess = Provenance(
        productVersion: lstmlabVersion, gitCommit: buildCommit, host: ProcessInfo.processInfo.hostName,
        operatingSystem: ProcessInfo.processInfo.operatingSystemVersionString, cpuModel: cpuModel(),
        swiftVersion: swiftCompilerVersion)

    /// The engine that trains a run, as recorded with it: the numerics version, the architecture and how many runs
    /// shared its SIMD vector, e.g. `numerics 2, x86_64, 8 lanes` (the results depend on the numerics version only).
    public static func engine(laneWidth: Int) -> String {
        #if arch(x86_64)
        let architecture = "x86_64"
        #elseif arch(arm64)
        let architecture = "arm64"
        #else
        let architecture = "other"
        #endif
        return "numerics \(numericsVersion), \(architecture), " + (laneWidth == 1 ? "one run alone" : "\(laneWidth) lanes")
    }

    static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let value = line.split(separator: ":", maxSplits: 1).last {
                return value.trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown"
    }
}

/// The version of the compiler this was built with.
public let swiftCompilerVersion: String = {
    #if compiler(>=6.3)
    return "6.3"
    #elseif compiler(>=6.2)
    return "6.2"
    #elseif compiler(>=6.1)
    return "6.1"
    #else
    return "6.0"
    #endif
}()
