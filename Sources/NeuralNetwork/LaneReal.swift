import CLaneMath

/// Doubles side by side: one run per lane, every lane doing exactly the scalar operations in the scalar order, so a
/// lane's bits never depend on its lane-mates or on the lane count. `Double` is the one-lane case; `SIMD4<Double>`,
/// `SIMD8<Double>` and `SIMD16<Double>` are four, eight and sixteen runs at once.
///
/// Only IEEE-754 operations that every platform rounds the same way are used: +, −, ×, ÷, √ (correctly rounded),
/// comparisons and selection, and exact bit manipulation. No fused multiply-add: Swift does not contract `a * b + c`.
public protocol LaneReal: Sendable {
    /// A per-lane condition.
    associatedtype Condition: Sendable
    /// Four values of one lane side by side, for loops whose elements are independent (Adam's): one run alone packs
    /// four parameters into `SIMD4<Double>`; a vector is its own (it is never packed).
    associatedtype Quad: LaneReal

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
    public typealias Quad = SIMD4<Double>
    @inlinable public static var laneCount: Int { 1 }
    @inlinable @inline(__always) public init(broadcast value: Double) { self = value }
    @inlinable @inline(__always) public func isLess(than other: Double) -> Bool { self < other }
    @inlinable @inline(__always) public func isLessOrEqual(to other: Double) -> Bool { self <= other }
    @inlinable @inline(__always) public func isEqual(to other: Double) -> Bool { self == other }
    @inlinable @inline(__always)
    public static func select(_ condition: Bool, _ a: Double, _ b: Double) -> Double { condition ? a : b }
    @inlinable @inline(__always) public static func any(_ condition: Bool) -> Bool { condition }
    @inlinable @inline(__always) public static func all(_ condition: Bool) -> Bool { condition }
    @inlinable @inline(__always) public static func powerOfTwo(integral k: Double) -> Double {
        // 2⁵² + (k + 1023) holds k + 1023 in its low bits; shifted into the exponent field it is 2ᵏ.
        Double(bitPattern: (k + 4_503_599_627_371_519).bitPattern << 52)
    }
    @inlinable @inline(__always) public subscript(lane index: Int) -> Double {
        get { self }
        set { self = newValue }
    }
}

/// A SIMD vector of doubles as lanes, a condition being a vector of lane masks (all ones where true). The
/// operations Swift's generic SIMD code would lower lane by lane are `lane_math.h`'s whole-vector ones.
public protocol DoubleVector: SIMD, LaneReal where Scalar == Double, Condition == MaskStorage {}

extension DoubleVector {
    @inlinable public static var laneCount: Int { scalarCount }
    @inlinable @inline(__always) public init(broadcast value: Double) { self.init(repeating: value) }
    @inlinable @inline(__always) public subscript(lane index: Int) -> Double {
        get { self[index] }
        set { self[index] = newValue }
    }
}

extension SIMD4: LaneReal, DoubleVector where Scalar == Double {
    public typealias Condition = SIMD4<Int64>
    public typealias Quad = Self
    @inlinable @inline(__always) public func squareRoot() -> Self { lane_sqrt4(self) }
    @inlinable @inline(__always) public var magnitude: Self { lane_magnitude4(self) }
    @inlinable @inline(__always) public func isLess(than other: Self) -> Condition { lane_less4(self, other) }
    @inlinable @inline(__always) public func isLessOrEqual(to other: Self) -> Condition { lane_less_equal4(self, other) }
    @inlinable @inline(__always) public func isEqual(to other: Self) -> Condition { lane_equal4(self, other) }
    @inlinable @inline(__always)
    public static func select(_ condition: Condition, _ a: Self, _ b: Self) -> Self { lane_select4(condition, a, b) }
    @inlinable @inline(__always) public static func any(_ condition: Condition) -> Bool { lane_any4(condition) != 0 }
    @inlinable @inline(__always) public static func all(_ condition: Condition) -> Bool { lane_all4(condition) != 0 }
    @inlinable @inline(__always) public static func powerOfTwo(integral k: Self) -> Self { lane_power_of_two4(k) }
}

extension SIMD8: LaneReal, DoubleVector where Scalar == Double {
    public typealias Condition = SIMD8<Int64>
    public typealias Quad = Self
    @inlinable @inline(__always) public func squareRoot() -> Self { lane_sqrt8(self) }
    @inlinable @inline(__always) public var magnitude: Self { lane_magnitude8(self) }
    @inlinable @inline(__always) public func isLess(than other: Self) -> Condition { lane_less8(self, other) }
    @inlinable @inline(__always) public func isLessOrEqual(to other: Self) -> Condition { lane_less_equal8(self, other) }
    @inlinable @inline(__always) public func isEqual(to other: Self) -> Condition { lane_equal8(self, other) }
    @inlinable @inline(__always)
    public static func select(_ condition: Condition, _ a: Self, _ b: Self) -> Self { lane_select8(condition, a, b) }
    @inlinable @inline(__always) public static func any(_ condition: Condition) -> Bool { lane_any8(condition) != 0 }
    @inlinable @inline(__always) public static func all(_ condition: Condition) -> Bool { lane_all8(condition) != 0 }
    @inlinable @inline(__always) public static func powerOfTwo(integral k: Self) -> Self { lane_power_of_two8(k) }
}

extension SIMD16: LaneReal, DoubleVector where Scalar == Double {
    public typealias Condition = SIMD16<Int64>
    public typealias Quad = Self
    @inlinable @inline(__always) public func squareRoot() -> Self { lane_sqrt16(self) }
    @inlinable @inline(__always) public var magnitude: Self { lane_magnitude16(self) }
    @inlinable @inline(__always) public func isLess(than other: Self) -> Condition { lane_less16(self, other) }
    @inlinable @inline(__always) public func isLessOrEqual(to other: Self) -> Condition { lane_less_equal16(self, other) }
    @inlinable @inline(__always) public func isEqual(to other: Self) -> Condition { lane_equal16(self, other) }
    @inlinable @inline(__always)
    public static func select(_ condition: Condition, _ a: Self, _ b: Self) -> Self { lane_select16(condition, a, b) }
    @inlinable @inline(__always) public static func any(_ condition: Condition) -> Bool { lane_any16(condition) != 0 }
    @inlinable @inline(__always) public static func all(_ condition: Condition) -> Bool { lane_all16(condition) != 0 }
    @inlinable @inline(__always) public static func powerOfTwo(integral k: Self) -> Self { lane_power_of_two16(k) }
}

/// The lanes of `Base` under a type of their own: the same values and the same operations. A module that compiles
/// the engine for a CPU of its own (`LanesAVX2`, `LanesAVX512`) trains `TaggedLanes<ItsTag, …>`, so every
/// specialisation of the engine it emits has a name no other module's has, and the linker can never take the code
/// compiled for one CPU in place of another's.
@frozen public struct TaggedLanes<Tag, Base: LaneReal>: LaneReal {
    public typealias Condition = Base.Condition
    public typealias Quad = TaggedLanes<Tag, Base.Quad>
    public var base: Base

    @inlinable @inline(__always) public init(_ base: Base) { self.base = base }
    @inlinable public static var laneCount: Int { Base.laneCount }
    @inlinable @inline(__always) public init(broadcast value: Double) { base = Base(broadcast: value) }
    @inlinable @inline(__always) public static func + (a: Self, b: Self) -> Self { Self(a.base + b.base) }
    @inlinable @inline(__always) public static func - (a: Self, b: Self) -> Self { Self(a.base - b.base) }
    @inlinable @inline(__always) public static func * (a: Self, b: Self) -> Self { Self(a.base * b.base) }
    @inlinable @inline(__always) public static func / (a: Self, b: Self) -> Self { Self(a.base / b.base) }
    @inlinable @inline(__always) public static prefix func - (a: Self) -> Self { Self(-a.base) }
    @inlinable @inline(__always) public func squareRoot() -> Self { Self(base.squareRoot()) }
    @inlinable @inline(__always) public var magnitude: Self { Self(base.magnitude) }
    @inlinable @inline(__always) public func isLess(than other: Self) -> Condition { base.isLess(than: other.base) }
    @inlinable @inline(__always) public func isLessOrEqual(to other: Self) -> Condition { base.isLessOrEqual(to: other.base) }
    @inlinable @inline(__always) public func isEqual(to other: Self) -> Condition { base.isEqual(to: other.base) }
    @inlinable @inline(__always) public static func select(_ condition: Condition, _ a: Self, _ b: Self) -> Self {
        Self(Base.select(condition, a.base, b.base))
    }
    @inlinable @inline(__always) public static func any(_ condition: Condition) -> Bool { Base.any(condition) }
    @inlinable @inline(__always) public static func all(_ condition: Condition) -> Bool { Base.all(condition) }
    @inlinable @inline(__always) public static func powerOfTwo(integral k: Self) -> Self {
        Self(Base.powerOfTwo(integral: k.base))
    }
    @inlinable @inline(__always) public subscript(lane index: Int) -> Double {
        get { base[lane: index] }
        set { base[lane: index] = newValue }
    }
}
