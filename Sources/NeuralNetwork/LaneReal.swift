import CLaneMath

/// Doubles side by side: one run per lane, every lane doing exactly the scalar operations in the scalar order, so a
/// lane's bits never depend on its lane-mates or on the lane count. `Double` is the one-lane case; `SIMD4<Double>`
/// and `SIMD8<Double>` are four and eight runs at once (one or two AVX2 registers).
///
/// Only IEEE-754 operations that every platform rounds the same way are used: +, −, ×, ÷, √ (correctly rounded),
/// comparisons and selection, and exact bit manipulation. No fused multiply-add: Swift does not contract `a * b + c`.
public protocol LaneReal: Sendable {
    /// A per-lane condition.
    associatedtype Condition: Sendable

    static var laneCount: Int { get }

    /// Every lane holds `value`.
    init(broadcast value: Double)

    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static func / (a: Self, b: Self) -> Self
    static prefix func - (a: Self) -> Self
    func squareRoot() -> Self

    /// |x| lane by lane (clears the sign bit).
    var magnitude: Self { get }

    /// Lanes where self < other (false where either is NaN).
    func isLess(than other: Self) -> Condition
    /// Lanes where self ≤ other (false where either is NaN).
    func isLessOrEqual(to other: Self) -> Condition
    /// Lanes where self == other.
    func isEqual(to other: Self) -> Condition
    /// `condition ? a : b`, lane by lane.
    static func select(_ condition: Condition, _ a: Self, _ b: Self) -> Self
    /// Whether the condition holds in any lane (to skip work no lane needs; it never changes a lane's bits).
    static func any(_ condition: Condition) -> Bool
    /// Whether the condition holds in every lane.
    static func all(_ condition: Condition) -> Bool

    /// The lanes' values, which must be integers in [−1022, 1023], as the powers 2ᵏ (built from the exponent bits).
    static func powerOfTwo(integral k: Self) -> Self

    /// Lane `index` as a Double.
    subscript(lane index: Int) -> Double { get set }
}

extension Double: LaneReal {
    public typealias Condition = Bool
    public static var laneCount: Int { 1 }
    @inline(__always) public init(broadcast value: Double) { self = value }
    @inline(__always) public func isLess(than other: Double) -> Bool { self < other }
    @inline(__always) public func isLessOrEqual(to other: Double) -> Bool { self <= other }
    @inline(__always) public func isEqual(to other: Double) -> Bool { self == other }
    @inline(__always) public static func select(_ condition: Bool, _ a: Double, _ b: Double) -> Double { condition ? a : b }
    @inline(__always) public static func any(_ condition: Bool) -> Bool { condition }
    @inline(__always) public static func all(_ condition: Bool) -> Bool { condition }
    @inline(__always) public static func powerOfTwo(integral k: Double) -> Double {
        // 2⁵² + (k + 1023) holds k + 1023 in its low bits; shifted into the exponent field it is 2ᵏ.
        Double(bitPattern: (k + 4_503_599_627_371_519).bitPattern << 52)
    }
    @inline(__always) public subscript(lane index: Int) -> Double {
        get { self }
        set { self = newValue }
    }
}

extension SIMD4: LaneReal where Scalar == Double {
    public typealias Condition = SIMDMask<SIMD4<Int64>>
    /// √x lane by lane in one vector instruction (see `lane_math.h`).
    @inline(__always) public func squareRoot() -> SIMD4<Double> { lane_sqrt4(self) }
    public static var laneCount: Int { 4 }
    @inline(__always) public init(broadcast value: Double) { self.init(repeating: value) }
    @inline(__always) public var magnitude: SIMD4<Double> {
        SIMD4<Double>(bitPattern: bitPattern & 0x7FFF_FFFF_FFFF_FFFF)
    }
    @inline(__always) public func isLess(than other: SIMD4<Double>) -> Condition { self .< other }
    @inline(__always) public func isLessOrEqual(to other: SIMD4<Double>) -> Condition { self .<= other }
    @inline(__always) public func isEqual(to other: SIMD4<Double>) -> Condition { self .== other }
    @inline(__always) public static func select(_ condition: Condition, _ a: SIMD4<Double>, _ b: SIMD4<Double>) -> SIMD4<Double> {
        b.replacing(with: a, where: condition)
    }
    @inline(__always) public static func any(_ condition: Condition) -> Bool {
        let m = unsafeBitCast(condition, to: (Int64, Int64, Int64, Int64).self)
        return (m.0 | m.1 | m.2 | m.3) != 0
    }
    @inline(__always) public static func all(_ condition: Condition) -> Bool {
        let m = unsafeBitCast(condition, to: (Int64, Int64, Int64, Int64).self)
        return (m.0 & m.1 & m.2 & m.3) != 0
    }
    @inline(__always) public static func powerOfTwo(integral k: SIMD4<Double>) -> SIMD4<Double> {
        SIMD4<Double>(bitPattern: (k + 4_503_599_627_371_519).bitPattern &<< 52)
    }
    @inline(__always) public subscript(lane index: Int) -> Double {
        get { self[index] }
        set { self[index] = newValue }
    }

    @inline(__always) var bitPattern: SIMD4<UInt64> { unsafeBitCast(self, to: SIMD4<UInt64>.self) }
    @inline(__always) init(bitPattern: SIMD4<UInt64>) { self = unsafeBitCast(bitPattern, to: SIMD4<Double>.self) }
}

extension SIMD8: LaneReal where Scalar == Double {
    public typealias Condition = SIMDMask<SIMD8<Int64>>
    /// √x lane by lane in one vector instruction (see `lane_math.h`).
    @inline(__always) public func squareRoot() -> SIMD8<Double> { lane_sqrt8(self) }
    public static var laneCount: Int { 8 }
    @inline(__always) public init(broadcast value: Double) { self.init(repeating: value) }
    @inline(__always) public var magnitude: SIMD8<Double> {
        SIMD8<Double>(bitPattern: bitPattern & 0x7FFF_FFFF_FFFF_FFFF)
    }
    @inline(__always) public func isLess(than other: SIMD8<Double>) -> Condition { self .< other }
    @inline(__always) public func isLessOrEqual(to other: SIMD8<Double>) -> Condition { self .<= other }
    @inline(__always) public func isEqual(to other: SIMD8<Double>) -> Condition { self .== other }
    @inline(__always) public static func select(_ condition: Condition, _ a: SIMD8<Double>, _ b: SIMD8<Double>) -> SIMD8<Double> {
        b.replacing(with: a, where: condition)
    }
    @inline(__always) public static func any(_ condition: Condition) -> Bool {
        let m = unsafeBitCast(condition, to: (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64).self)
        return (m.0 | m.1 | m.2 | m.3 | m.4 | m.5 | m.6 | m.7) != 0
    }
    @inline(__always) public static func all(_ condition: Condition) -> Bool {
        let m = unsafeBitCast(condition, to: (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64).self)
        return (m.0 & m.1 & m.2 & m.3 & m.4 & m.5 & m.6 & m.7) != 0
    }
    @inline(__always) public static func powerOfTwo(integral k: SIMD8<Double>) -> SIMD8<Double> {
        SIMD8<Double>(bitPattern: (k + 4_503_599_627_371_519).bitPattern &<< 52)
    }
    @inline(__always) public subscript(lane index: Int) -> Double {
        get { self[index] }
        set { self[index] = newValue }
    }

    @inline(__always) var bitPattern: SIMD8<UInt64> { unsafeBitCast(self, to: SIMD8<UInt64>.self) }
    @inline(__always) init(bitPattern: SIMD8<UInt64>) { self = unsafeBitCast(bitPattern, to: SIMD8<Double>.self) }
}
