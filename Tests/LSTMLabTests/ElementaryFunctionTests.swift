import Foundation
import NeuralNetwork
import Testing

// The libm-free elementary functions of `ElementaryFunctions.swift`: special values and branch boundaries, dense
// grids against the platform's libm (itself within about half an ulp, so one ulp of disagreement is allowed where
// ours is within one ulp of the truth), exact cases, and pinned bit patterns — the pins hold on every platform,
// since the functions use nothing but IEEE-754 arithmetic.

/// The one-lane instances, so that literals and `.nan` read as Double.
private func laneTanh(_ x: Double) -> Double { NeuralNetwork.laneTanh(x) }
private func laneExp(_ x: Double) -> Double { NeuralNetwork.laneExp(x) }

@Suite("Elementary functions in plain IEEE-754 arithmetic")
struct ElementaryFunctionTests {
    // MARK: Helpers

    /// |value − reference| in ulps of the reference; 0 when both are the same value (±0, ±∞ included).
    static func ulpError(_ value: Double, _ reference: Double) -> Double {
        if value == reference || (value.isNaN && reference.isNaN) { return 0 }
        if !value.isFinite || !reference.isFinite { return .infinity }
        return abs(value - reference) / reference.ulp
    }

    /// The logistic sigmoid's value alone.
    static func sigmoidValue(_ x: Double) -> Double { laneLogisticSigmoid(x).value }

    /// `count` evenly spaced points of [low, high].
    static func grid(_ low: Double, _ high: Double, count: Int) -> [Double] {
        (0..<count).map { low + (high - low) * Double($0) / Double(count - 1) }
    }

    /// The largest ulp error of `function` against `reference` over `points`, printed with its argument.
    static func maxUlpError(
        _ name: String, _ points: [Double], _ function: (Double) -> Double, _ reference: (Double) -> Double
    ) -> Double {
        var worst = 0.0
        var worstPoint = Double.nan
        for x in points {
            let error = ulpError(function(x), reference(x))
            if error > worst || error.isNaN {
                worst = error
                worstPoint = x
            }
        }
        print("\(name): max ulp error \(worst) over \(points.count) points (at \(worstPoint))")
        return worst
    }

    /// cos(2πu) and sin(2πu) from libm with the exact 2π: a = RN(2π·u) and the rest δ = 2πu − a (an FMA and the
    /// low part of 2π; FMA is fine in a test), then cos(a + δ) ≈ cos a − δ·sin a, sin(a + δ) ≈ sin a + δ·cos a.
    static func libmTwoPi(_ u: Double) -> (cos: Double, sin: Double) {
        let twoPiHi = 0x1.921fb54442d18p2
        let twoPiLo = 0x1.1a62633145c07p-52
        let a = twoPiHi * u
        let delta = fma(twoPiHi, u, -a) + twoPiLo * u
        return (cos(a) - delta * sin(a), sin(a) + delta * cos(a))
    }

    // MARK: laneExp

    @Test("laneExp: special values, thresholds and branch boundaries")
    func expSpecialValues() {
        #expect(laneExp(0.0) == 1)
        #expect(laneExp(-0.0) == 1)
        #expect(laneExp(Double.nan).isNaN)
        #expect(laneExp(Double.infinity) == .infinity)
        #expect(laneExp(-Double.infinity) == 0 && laneExp(-Double.infinity).sign == .plus)
        #expect(laneExp(Double.leastNonzeroMagnitude) == 1)
        #expect(laneExp(-Double.leastNonzeroMagnitude) == 1)
        #expect(laneExp(0x1p-54) == 1)
        // Overflow: ln(greatestFiniteMagnitude) = 709.78271289338399673…
        #expect(laneExp(709.782712893384).isFinite)
        #expect(laneExp(709.782712893384.nextUp) == .infinity)
        #expect(laneExp(1000.0) == .infinity)
        #expect(laneExp(Double.greatestFiniteMagnitude) == .infinity)
        // Below −707.7 (results under 2⁻¹⁰²¹) the result is flushed to +0, as documented.
        #expect(Self.ulpError(laneExp(-707.7), Foundation.exp(-707.7)) <= 1)
        #expect(laneExp((-707.7).nextDown) == 0 && laneExp((-707.7).nextDown).sign == .plus)
        #expect(laneExp(-1000.0) == 0)
        // Boundaries of the reduction (±ln2/2) and of the clamps.
        let halfLn2 = 0.34657359027997264
        var points: [Double] = [1, -1, 2, 0.5, 700, -700, 709, -707.6, 44, 1.25]
        for edge in [halfLn2, -halfLn2, 0x1p-54, -0x1p-54, 0x1p-28, -0x1p-28, 709] {
            points += [edge.nextDown, edge, edge.nextUp]
        }
        for x in points {
            #expect(Self.ulpError(laneExp(x), exp(x)) <= 1, "laneExp(\(x)) = \(laneExp(x)), libm \(exp(x))")
        }
    }

    @Test("laneExp: within 1 ulp of libm over [−707.7, 709.78], [−2, 2] and tanh's range [1.25, 44]")
    func expGrid() {
        let points = Self.grid(-707.7, 709.78, count: 200_000) + Self.grid(-2, 2, count: 100_000)
            + Self.grid(1.25, 44, count: 100_000)
        #expect(Self.maxUlpError("laneExp", points, { laneExp($0) }, { exp($0) }) <= 1)
    }

    @Test("The lane functions give every lane the bits the one-lane function gives it")
    func lanesAgreeWithScalar() {
        let points = Self.grid(-30, 30, count: 8_000) + [0, -0.0, .nan, .infinity, -.infinity, 0.625, -0.625, 22, -22,
                                                         2.5, -2.5, 709.9, -709]
        var index = 0
        while index + 8 <= points.count {
            var four = SIMD4<Double>(), eight = SIMD8<Double>()
            for lane in 0..<8 { eight[lane] = points[index + lane] }
            for lane in 0..<4 { four[lane] = points[index + lane] }
            let (tanh4, tanh8) = (NeuralNetwork.laneTanh(four), NeuralNetwork.laneTanh(eight))
            let (exp4, exp8) = (NeuralNetwork.laneExp(four), NeuralNetwork.laneExp(eight))
            let (sigmoid8, hard8) = (laneLogisticSigmoid(eight), laneHardSigmoid(eight))
            for lane in 0..<8 {
                let x = points[index + lane]
                #expect(tanh8[lane].bitPattern == laneTanh(x).bitPattern, "tanh(\(x))")
                #expect(exp8[lane].bitPattern == laneExp(x).bitPattern, "exp(\(x))")
                #expect(sigmoid8.value[lane].bitPattern == laneLogisticSigmoid(x).value.bitPattern)
                #expect(sigmoid8.derivative[lane].bitPattern == laneLogisticSigmoid(x).derivative.bitPattern)
                #expect(hard8.value[lane].bitPattern == laneHardSigmoid(x).value.bitPattern)
                #expect(hard8.derivative[lane].bitPattern == laneHardSigmoid(x).derivative.bitPattern)
                if lane < 4 {
                    #expect(tanh4[lane].bitPattern == laneTanh(x).bitPattern)
                    #expect(exp4[lane].bitPattern == laneExp(x).bitPattern)
                }
            }
            index += 8
        }
    }

    // MARK: ieeeLog

    @Test("ieeeLog: special values and branch boundaries")
    func logSpecialValues() {
        #expect(ieeeLog(0) == -.infinity)
        #expect(ieeeLog(-0.0) == -.infinity)
        #expect(ieeeLog(-1).isNaN)
        #expect(ieeeLog(-.leastNonzeroMagnitude).isNaN)
        #expect(ieeeLog(-.infinity).isNaN)
        #expect(ieeeLog(.infinity) == .infinity)
        #expect(ieeeLog(.nan).isNaN)
        #expect(ieeeLog(1) == 0 && ieeeLog(1).sign == .plus)
        #expect(ieeeLog(2) == 0.6931471805599453)
        #expect(ieeeLog(2.718281828459045) == 1)
        #expect(ieeeLog(.leastNonzeroMagnitude) == -744.4400719213812)
        #expect(ieeeLog(.greatestFiniteMagnitude) == 709.782712893384)
        var points: [Double] = [
            .leastNonzeroMagnitude, .leastNormalMagnitude, .leastNormalMagnitude.nextDown, .greatestFiniteMagnitude,
            0x1p-1060, 10, 0.1, 1e-300, 1e300,
        ]
        for edge in [1, 0.5.squareRoot(), 2.squareRoot(), 1 + 0x1p-20, 1 - 0x1p-20, 1.38, 1.42, 0.69, 0.71, 2, 0.5] {
            points += [edge.nextDown, edge, edge.nextUp]
        }
        for x in points {
            #expect(Self.ulpError(ieeeLog(x), log(x)) <= 1, "ieeeLog(\(x)) = \(ieeeLog(x)), libm \(log(x))")
        }
    }

    @Test("ieeeLog: within 1 ulp of libm over every binade and over [0.5, 2]")
    func logGrid() {
        // 2^t for t evenly spaced in [−1074, 1024): subnormal to largest finite.
        let wide = Self.grid(-1074, 1023.99, count: 200_000).map { Foundation.pow(2, $0) }
        let points = wide + Self.grid(0.5, 2, count: 100_000)
        #expect(Self.maxUlpError("ieeeLog", points, ieeeLog, { log($0) }) <= 1)
    }

    // MARK: laneTanh and laneLogisticSigmoid

    @Test("laneTanh: special values, branch boundaries and odd symmetry")
    func tanhSpecialValues() {
        #expect(laneTanh(0) == 0 && laneTanh(0).sign == .plus)
        #expect(laneTanh(-0.0) == 0 && laneTanh(-0.0).sign == .minus)
        #expect(laneTanh(.nan).isNaN)
        #expect(laneTanh(.infinity) == 1)
        #expect(laneTanh(-.infinity) == -1)
        #expect(laneTanh(22.0.nextUp) == 1)
        #expect(laneTanh(-22.0.nextUp) == -1)
        #expect(laneTanh(.greatestFiniteMagnitude) == 1)
        #expect(laneTanh(.leastNonzeroMagnitude) == .leastNonzeroMagnitude)
        #expect(laneTanh(-.leastNormalMagnitude) == -.leastNormalMagnitude)
        var points: [Double] = [1e-10, 0.1, 1, 5, 19, 20]
        for edge in [0.625, 22] { points += [edge.nextDown, edge, edge.nextUp] }
        for x in points + points.map({ -$0 }) {
            #expect(Self.ulpError(laneTanh(x), tanh(x)) <= 2, "laneTanh(\(x)) = \(laneTanh(x)), libm \(tanh(x))")
        }
        // Monotone across the switch from the rational to the exponential branch.
        var x = 0.625
        for _ in 0..<1000 { x = x.nextDown }
        var previous = laneTanh(x)
        for _ in 0..<2000 {
            x = x.nextUp
            #expect(laneTanh(x) >= previous)
            previous = laneTanh(x)
        }
        for x in Self.grid(0, 23, count: 10_001) {
            #expect(laneTanh(-x).bitPattern == (-laneTanh(x)).bitPattern)
        }
    }

    @Test("laneTanh: within 2 ulps of libm over [−23, 23] and [−1.5, 1.5]")
    func tanhGrid() {
        let points = Self.grid(-23, 23, count: 200_000) + Self.grid(-1.5, 1.5, count: 100_000)
        #expect(Self.maxUlpError("laneTanh", points, { laneTanh($0) }, { tanh($0) }) <= 2)
    }

    /// Ours is within 0.9·2⁻⁵³ of σ (measured with 200-bit references); glibc's `1/(1 + exp(−x))` itself is off by
    /// up to 1.5·2⁻⁵³, so the two may differ by 2·2⁻⁵³ and, below ½, by a little more.
    @Test("laneLogisticSigmoid: special values, and within 3·2⁻⁵³ of 1/(1 + e⁻ˣ) over [−40, 40]")
    func sigmoid() {
        #expect(Self.sigmoidValue(0) == 0.5)
        #expect(Self.sigmoidValue(.infinity) == 1)
        #expect(Self.sigmoidValue(-.infinity) == 0)
        #expect(Self.sigmoidValue(.nan).isNaN)
        #expect(Self.sigmoidValue(800) == 1)
        #expect(Self.sigmoidValue(-800) == 0)
        let points = Self.grid(-40, 40, count: 200_000)
        var worst = 0.0
        for x in points {
            let value = Self.sigmoidValue(x)
            #expect(value >= 0 && value <= 1)
            worst = max(worst, abs(value - 1 / (1 + exp(-x))))
        }
        print("laneLogisticSigmoid: max absolute error \(worst) (\(worst / 0x1p-53)·2⁻⁵³) over \(points.count) points")
        #expect(worst <= 3 * 0x1p-53)
    }

    // MARK: ieeeCosTwoPi and ieeeSinTwoPi

    @Test("ieeeCosTwoPi, ieeeSinTwoPi: special values, quadrant boundaries, symmetry")
    func twoPiSpecialValues() {
        #expect(ieeeCosTwoPi(0) == 1)
        #expect(ieeeCosTwoPi(-0.0) == 1)
        #expect(ieeeCosTwoPi(0.25) == 0 && ieeeCosTwoPi(0.25).sign == .plus)
        #expect(ieeeCosTwoPi(0.5) == -1)
        #expect(ieeeCosTwoPi(0.75) == 0 && ieeeCosTwoPi(0.75).sign == .plus)
        #expect(ieeeCosTwoPi(-0.25) == 0 && ieeeCosTwoPi(-0.25).sign == .plus)
        #expect(ieeeCosTwoPi(0.125) == 0.5.squareRoot())
        #expect(ieeeCosTwoPi(.leastNonzeroMagnitude) == 1)
        #expect(ieeeCosTwoPi(0x1p51 + 0.5) == -1)
        #expect(ieeeCosTwoPi(0x1p52 + 2) == 1)
        #expect(ieeeCosTwoPi(.greatestFiniteMagnitude) == 1)
        #expect(ieeeCosTwoPi(.nan).isNaN)
        #expect(ieeeCosTwoPi(.infinity).isNaN)
        #expect(ieeeCosTwoPi(-.infinity).isNaN)
        #expect(ieeeSinTwoPi(0) == 0 && ieeeSinTwoPi(0).sign == .plus)
        #expect(ieeeSinTwoPi(-0.0) == 0 && ieeeSinTwoPi(-0.0).sign == .minus)
        #expect(ieeeSinTwoPi(0.25) == 1)
        #expect(ieeeSinTwoPi(0.5) == 0 && ieeeSinTwoPi(0.5).sign == .plus)
        #expect(ieeeSinTwoPi(-0.5) == 0 && ieeeSinTwoPi(-0.5).sign == .minus)
        #expect(ieeeSinTwoPi(0.75) == -1)
        #expect(ieeeSinTwoPi(.leastNonzeroMagnitude).bitPattern == 6)  // RN(2π·2⁻¹⁰⁷⁴) = 6·2⁻¹⁰⁷⁴
        #expect(ieeeSinTwoPi(.nan).isNaN)
        #expect(ieeeSinTwoPi(.infinity).isNaN)
        var points: [Double] = [1.0 / 6, 1.0 / 3, 0x1p-30, 0.999]
        for edge in [0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1] {
            points += [edge.nextDown, edge.nextUp]
        }
        for u in points {
            let reference = Self.libmTwoPi(u)
            #expect(Self.ulpError(ieeeCosTwoPi(u), reference.cos) <= 1, "ieeeCosTwoPi(\(u))")
            #expect(Self.ulpError(ieeeSinTwoPi(u), reference.sin) <= 1, "ieeeSinTwoPi(\(u))")
        }
        for u in Self.grid(0, 1, count: 10_001) {
            #expect(ieeeCosTwoPi(-u).bitPattern == ieeeCosTwoPi(u).bitPattern)
            #expect(ieeeSinTwoPi(-u).bitPattern == (-ieeeSinTwoPi(u)).bitPattern)
        }
    }

    @Test("ieeeCosTwoPi, ieeeSinTwoPi: within 1 ulp of libm with the exact 2π over [0, 1)")
    func twoPiGrid() {
        // Midpoints (i + ½)/N, which miss the zeros of cos and sin, and the Box–Muller inputs themselves.
        var random = RandomSource(seed: 2017)
        let count = 200_000
        let points = (0..<count).map { (Double($0) + 0.5) / Double(count) } + (0..<100_000).map { _ in random.nextUnit() }
        #expect(Self.maxUlpError("ieeeCosTwoPi", points, ieeeCosTwoPi, { Self.libmTwoPi($0).cos }) <= 1)
        #expect(Self.maxUlpError("ieeeSinTwoPi", points, ieeeSinTwoPi, { Self.libmTwoPi($0).sin }) <= 1)
    }

    // MARK: ieeePowInteger

    @Test("ieeePowInteger: special values and exactly representable powers")
    func powSpecialValues() {
        #expect(ieeePowInteger(.nan, 0) == 1)
        #expect(ieeePowInteger(.infinity, 0) == 1)
        #expect(ieeePowInteger(0, 0) == 1)
        #expect(ieeePowInteger(.nan, 3).isNaN)
        #expect(ieeePowInteger(0, 3) == 0 && ieeePowInteger(0, 3).sign == .plus)
        #expect(ieeePowInteger(-0.0, 3) == 0 && ieeePowInteger(-0.0, 3).sign == .minus)
        #expect(ieeePowInteger(-0.0, 2).sign == .plus)
        #expect(ieeePowInteger(0, -1) == .infinity)
        #expect(ieeePowInteger(-0.0, -3) == -.infinity)
        #expect(ieeePowInteger(.infinity, 2) == .infinity)
        #expect(ieeePowInteger(-.infinity, 3) == -.infinity)
        #expect(ieeePowInteger(.infinity, -1) == 0)
        #expect(ieeePowInteger(-.infinity, -1) == 0 && ieeePowInteger(-.infinity, -1).sign == .minus)
        #expect(ieeePowInteger(-2, 3) == -8)
        #expect(ieeePowInteger(2, 1023) == 0x1p1023)
        #expect(ieeePowInteger(2, 1024) == .infinity)
        #expect(ieeePowInteger(2, -1074) == .leastNonzeroMagnitude)
        #expect(ieeePowInteger(0.5, 1074) == .leastNonzeroMagnitude)
        #expect(ieeePowInteger(0.5, 1075) == 0)  // 2⁻¹⁰⁷⁵ is a tie between 0 and 2⁻¹⁰⁷⁴: to even
        #expect(ieeePowInteger(1.5, 1750).isFinite)
        #expect(ieeePowInteger(1.5, 1751) == .infinity)
        #expect(ieeePowInteger(1, .max) == 1)
        #expect(ieeePowInteger(-1, .max) == -1)
        #expect(ieeePowInteger(-1, .min) == 1)
        #expect(ieeePowInteger(0.999, .max) == 0)
        #expect(ieeePowInteger(1.0001, .max) == .infinity)
        #expect(ieeePowInteger(2, .min) == 0)
        var power = 1
        for n in 0...33 {  // 3³³ < 2⁵³
            #expect(ieeePowInteger(3, n) == Double(power))
            power *= 3
        }
        // 10ⁿ correctly rounded, as the decimal literal is: normal, subnormal (down to 10⁻³²³), overflow.
        for n in 0...308 { #expect(ieeePowInteger(10, n) == Double("1e\(n)")!, "10^\(n)") }
        for n in 1...323 { #expect(ieeePowInteger(10, -n) == Double("1e-\(n)")!, "10^-\(n)") }
        #expect(ieeePowInteger(10, 309) == .infinity)
        #expect(ieeePowInteger(10, -324) == 0)
    }

    @Test("ieeePowInteger: Adam's βᵗ within 1 ulp of libm's pow for t ≤ 10⁵")
    func powAgainstLibm() {
        for beta in [0.9, 0.999, 0.5] {
            var worst = 0.0
            for t in 1...100_000 {
                worst = max(worst, Self.ulpError(ieeePowInteger(beta, t), Foundation.pow(beta, Double(t))))
            }
            print("ieeePowInteger(\(beta), t): max ulp error \(worst) against pow over t = 1…100000")
            #expect(worst <= 1)
        }
    }

    // MARK: Pinned bit patterns

    @Test("Pinned bit patterns, the same on every platform")
    func pinnedBits() {
        #expect(laneExp(1.0).bitPattern == 0x4005_BF0A_8B14_576A)
        #expect(laneExp(-700.5).bitPattern == 0x00C4_FF47_5C68_CA02)
        #expect(ieeeLog(10).bitPattern == 0x4002_6BB1_BBB5_5516)
        #expect(ieeeLog(0.7).bitPattern == 0xBFD6_D3C3_24E1_3F50)
        #expect(laneTanh(0.7).bitPattern == 0x3FE3_56FB_17AF_2E91)
        #expect(laneTanh(0.3).bitPattern == 0x3FD2_A4DD_A7D9_14FA)
        #expect(laneTanh(-2.5).bitPattern == 0xBFEF_9258_260A_71C2)
        #expect(Self.sigmoidValue(1.5).bitPattern == 0x3FEA_2991_F2A9_7914)
        #expect(Self.sigmoidValue(-4).bitPattern == 0x3F92_6AFA_1E43_C2C0)
        #expect(ieeeCosTwoPi(0.3).bitPattern == 0xBFD3_C6EF_372F_E94E)
        #expect(ieeeCosTwoPi(0.9).bitPattern == 0x3FE9_E377_9B97_F4A8)
        #expect(ieeeSinTwoPi(0.3).bitPattern == 0x3FEE_6F0E_1344_5500)
        #expect(ieeePowInteger(0.999, 1000).bitPattern == 0x3FD7_8852_6411_ED72)
        #expect(ieeePowInteger(0.9, 50).bitPattern == 0x3F75_1C1F_FF76_4631)
        #expect(ieeePowInteger(0.9, 7000).bitPattern == 0x0000_0000_0000_03F1)  // subnormal
    }
}
