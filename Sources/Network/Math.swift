#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The C library's elementary functions, named so the numerics read as formulas.
@inline(__always) func _log(_ x: Double) -> Double { log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { cos(x) }
@inline(__always) func _pow(_ x: Double, _ y: Double) -> Double { pow(x, y) }

/// tanh(x) as the Cephes library computes it (S. Moshier, `tanh.c`): for |x| ≤ 0.625 the rational approximation
/// `x + x·s·P(s)/Q(s)` with s = x²; above, `1 − 2/(e^{2|x|} + 1)` with the sign of x; ±1 beyond |x| = 22, where
/// tanh rounds to ±1 in double precision. Peak relative error ≈ 2.5e-16 (about one ulp, as the C library's), at
/// a third of the cost of glibc's `tanh`, which goes through `expm1`. Odd, monotone, tanh(±0) = ±0, NaN → NaN.
@inline(__always) public func fastTanh(_ x: Double) -> Double {
    let magnitude = abs(x)
    if magnitude > 0.625 {
        if magnitude > 22 { return x > 0 ? 1 : -1 }
        let z = 1 - 2 / (exp(2 * magnitude) + 1)
        return x < 0 ? -z : z
    }
    if magnitude == 0 { return x }
    let s = x * x
    let p = (-9.64399179425052238628E-1 * s - 9.92877231001918586564E1) * s - 1.61468768441708447952E3
    let q = ((s + 1.12811678491632931402E2) * s + 2.23548839060100448583E3) * s + 4.84406305325125486048E3
    return x + x * s * (p / q)
}

@inline(__always) func _tanh(_ x: Double) -> Double { fastTanh(x) }
