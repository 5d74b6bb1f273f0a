import Foundation
import NeuralNetwork
import Testing

/// (M Mᵀ) for a row-major [rows × columns] matrix.
private func gram(_ m: [Double], rows: Int, columns: Int) -> [Double] {
    var result = [Double](repeating: 0, count: rows * rows)
    for i in 0..<rows {
        for j in 0..<rows {
            var sum = 0.0
            for k in 0..<columns { sum += m[i * columns + k] * m[j * columns + k] }
            result[i * rows + j] = sum
        }
    }
    return result
}

private func identity(_ n: Int) -> [Double] {
    (0..<(n * n)).map { $0 / n == $0 % n ? 1 : 0 }
}

/// Transposes a row-major [rows × columns] matrix.
private func transpose(_ m: [Double], rows: Int, columns: Int) -> [Double] {
    var result = [Double](repeating: 0, count: rows * columns)
    for r in 0..<rows { for c in 0..<columns { result[c * rows + r] = m[r * columns + c] } }
    return result
}

@Suite("Keras initializers")
struct InitializerTests {
    @Test("Glorot-uniform: U(−limit, limit), limit = √(6/(fan_in + fan_out)), drawn in order from the source")
    func glorot() {
        var random = RandomSource(seed: 31)
        let weights = KerasInitializers.glorotUniform(fanIn: 1, fanOut: 12, using: &random)
        let limit = (6.0 / 13).squareRoot()
        #expect(weights.count == 12)
        #expect(weights.allSatisfy { $0 >= -limit && $0 < limit })
        // The same draws recomputed from the same seed: low + (high − low)·u.
        var replay = RandomSource(seed: 31)
        let expected = (0..<12).map { _ in -limit + 2 * limit * replay.nextUnit() }
        #expect(weights == expected)

        // A large tensor fills its range: fan 50 × 50, limit √(6/100).
        var big = RandomSource(seed: 32)
        let many = KerasInitializers.glorotUniform(fanIn: 50, fanOut: 50, using: &big)
        let bigLimit = (6.0 / 100).squareRoot()
        #expect(many.count == 2500)
        #expect(many.allSatisfy { abs($0) <= bigLimit })
        #expect(many.map(abs).max()! > 0.99 * bigLimit)
        #expect(abs(many.reduce(0, +) / 2500) < 0.1 * bigLimit)  // the mean's standard error is limit/√3/50
        #expect(many.contains { $0 < 0 } && many.contains { $0 > 0 })
    }

    @Test("Orthogonal u × 4u: rows orthonormal, R = QᵀA upper triangular with a positive diagonal",
          arguments: [1, 2, 3, 5])
    func orthogonalWide(units: Int) throws {
        let columns = 4 * units
        var random = RandomSource(seed: UInt64(500 + units))
        let q = KerasInitializers.orthogonal(rows: units, columns: columns, using: &random)
        #expect(q.count == units * columns)
        #expect(largestDifference(gram(q, rows: units, columns: columns), identity(units)) <= 1e-12)

        // Keras draws A of shape (max, min) = (4u, u) from a standard normal, takes Q of A = QR with diag(R) > 0,
        // and transposes. Replay A from the same seed and check that sign convention.
        var replay = RandomSource(seed: UInt64(500 + units))
        let a = (0..<(columns * units)).map { _ in replay.nextStandardNormal() }  // [4u × u]
        let tallQ = transpose(q, rows: units, columns: columns)                   // [4u × u]
        var r = [Double](repeating: 0, count: units * units)
        for i in 0..<units {
            for j in 0..<units {
                var sum = 0.0
                for row in 0..<columns { sum += tallQ[row * units + i] * a[row * units + j] }
                r[i * units + j] = sum
            }
        }
        for i in 0..<units {
            #expect(r[i * units + i] > 0, "diag(R)[\(i)] = \(r[i * units + i])")
            for j in 0..<i { #expect(abs(r[i * units + j]) <= 1e-12, "R[\(i)][\(j)] = \(r[i * units + j])") }
        }
        // Q R reproduces A.
        var reconstructed = [Double](repeating: 0, count: columns * units)
        for row in 0..<columns {
            for j in 0..<units {
                var sum = 0.0
                for k in 0..<units { sum += tallQ[row * units + k] * r[k * units + j] }
                reconstructed[row * units + j] = sum
            }
        }
        #expect(largestDifference(reconstructed, a) <= 1e-12)
    }

    @Test("Orthogonal tall and square matrices have orthonormal columns")
    func orthogonalTallAndSquare() {
        for (rows, columns) in [(5, 3), (4, 4), (7, 1)] {
            var random = RandomSource(seed: UInt64(rows * 10 + columns))
            let q = KerasInitializers.orthogonal(rows: rows, columns: columns, using: &random)
            #expect(q.count == rows * columns)
            let qt = transpose(q, rows: rows, columns: columns)
            #expect(largestDifference(gram(qt, rows: columns, columns: rows), identity(columns)) <= 1e-12)
            if rows == columns {
                #expect(largestDifference(gram(q, rows: rows, columns: columns), identity(rows)) <= 1e-12)
            }
        }
    }

    @Test("Initial parameters: draw order, unit forget bias, zero Dense bias", arguments: [(1, 3), (2, 2), (3, 4)])
    func initialParameters(lag: Int, units: Int) {
        let shape = NetworkShape(lag: lag, units: units)
        let layout = ParameterLayout(shape)
        #expect(layout.count == 4 * units * (lag + units + 1) + units + 1)
        var random = RandomSource(seed: 2017)
        let parameters = KerasInitializers.initialParameters(for: shape, using: &random)
        #expect(parameters.count == layout.count)

        // The same source, drawn in Keras's order: kernel, recurrent kernel, Dense kernel.
        var replay = RandomSource(seed: 2017)
        let kernel = KerasInitializers.glorotUniform(fanIn: lag, fanOut: 4 * units, using: &replay)
        let recurrent = KerasInitializers.orthogonal(rows: units, columns: 4 * units, using: &replay)
        let dense = KerasInitializers.glorotUniform(fanIn: units, fanOut: 1, using: &replay)
        #expect(Array(parameters[layout.kernel]) == kernel)
        #expect(Array(parameters[layout.recurrentKernel]) == recurrent)
        #expect(Array(parameters[layout.denseKernel]) == dense)

        let kernelLimit = (6 / Double(lag + 4 * units)).squareRoot()
        #expect(parameters[layout.kernel].allSatisfy { abs($0) <= kernelLimit })
        let denseLimit = (6 / Double(units + 1)).squareRoot()
        #expect(parameters[layout.denseKernel].allSatisfy { abs($0) <= denseLimit })
        #expect(largestDifference(gram(Array(parameters[layout.recurrentKernel]), rows: units, columns: 4 * units),
                                  identity(units)) <= 1e-12)

        // Bias: i, f, c, o slices; only the forget slice is 1.
        let bias = Array(parameters[layout.bias])
        let expectedBias = (0..<(4 * units)).map { $0 >= units && $0 < 2 * units ? 1.0 : 0.0 }
        #expect(bias == expectedBias)
        #expect(parameters[layout.denseBias] == [0])

        // Different seeds give different weights.
        var other = RandomSource(seed: 2018)
        #expect(KerasInitializers.initialParameters(for: shape, using: &other) != parameters)
    }

    @Test("Parameter layout: Keras order and shapes")
    func layout() {
        let layout = ParameterLayout(NetworkShape(lag: 2, units: 3))
        #expect(layout.kernel == 0..<24)
        #expect(layout.recurrentKernel == 24..<60)
        #expect(layout.bias == 60..<72)
        #expect(layout.denseKernel == 72..<75)
        #expect(layout.denseBias == 75..<76)
        #expect(layout.count == 76)
        #expect(layout.dimensions(of: .kernel) == [2, 12])
        #expect(layout.dimensions(of: .recurrentKernel) == [3, 12])
        #expect(layout.dimensions(of: .bias) == [12])
        #expect(layout.dimensions(of: .denseKernel) == [3, 1])
        #expect(layout.dimensions(of: .denseBias) == [1])
        for tensor in WeightTensor.allCases {
            #expect(layout.range(of: tensor).count == layout.dimensions(of: tensor).reduce(1, *))
        }
    }
}
