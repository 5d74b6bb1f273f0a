// Whole-vector operations on doubles, and the CPU's vector features. Swift lowers `squareRoot()` on SIMD vectors
// element by element through the C library's `sqrt` (with its errno check), and its comparisons and `replacing` lane
// by lane; clang's vector extensions make each one or a few vector instructions (vsqrtpd, vcmppd, a blend).
// IEEE-754 square roots are correctly rounded and the rest is exact: the same bits either way. Swift cannot issue
// CPUID or XGETBV, so the feature checks are here too.
#ifndef LSTMLAB_LANE_MATH_H
#define LSTMLAB_LANE_MATH_H

#define LANE_INLINE static inline __attribute__((always_inline))

/// The operations of a vector of N doubles (and its lane masks: all ones where true) that Swift's generic SIMD code
/// lowers lane by lane: √x, |x|, comparisons, selection, any/all and 2ᵏ from its exponent bits. Each is one or a few
/// vector instructions, compiled with the instruction set of the module that calls it.
#define LANE_FUNCTIONS(N)                                                                                          \
    typedef double lane_double##N __attribute__((ext_vector_type(N)));                                             \
    typedef long long lane_mask##N __attribute__((ext_vector_type(N)));                                            \
    LANE_INLINE lane_double##N lane_sqrt##N(lane_double##N x) { return __builtin_elementwise_sqrt(x); }           \
    LANE_INLINE lane_double##N lane_magnitude##N(lane_double##N x) {                                              \
        return (lane_double##N)((lane_mask##N)x & 0x7FFFFFFFFFFFFFFFLL);                                          \
    }                                                                                                              \
    LANE_INLINE lane_mask##N lane_less##N(lane_double##N a, lane_double##N b) { return (lane_mask##N)(a < b); }                    \
    LANE_INLINE lane_mask##N lane_less_equal##N(lane_double##N a, lane_double##N b) { return (lane_mask##N)(a <= b); }             \
    LANE_INLINE lane_mask##N lane_equal##N(lane_double##N a, lane_double##N b) { return (lane_mask##N)(a == b); }                  \
    LANE_INLINE lane_double##N lane_select##N(lane_mask##N m, lane_double##N a, lane_double##N b) {                \
        return (lane_double##N)((m & (lane_mask##N)a) | (~m & (lane_mask##N)b));                                   \
    }                                                                                                              \
    LANE_INLINE int lane_any##N(lane_mask##N m) { return __builtin_reduce_or(m) != 0; }                             \
    LANE_INLINE int lane_all##N(lane_mask##N m) { return __builtin_reduce_and(m) != 0; }                            \
    /* 2⁵² + (k + 1023) holds k + 1023 in its low bits; shifted into the exponent field it is 2ᵏ. */              \
    LANE_INLINE lane_double##N lane_power_of_two##N(lane_double##N k) {                                           \
        return (lane_double##N)((lane_mask##N)(k + 4503599627371519.0) << 52);                                    \
    }

LANE_FUNCTIONS(4)
LANE_FUNCTIONS(8)
LANE_FUNCTIONS(16)

#if defined(__x86_64__)
#include <cpuid.h>

/// XCR0, the register state the operating system saves (0 when XGETBV is unavailable).
static inline unsigned long long lane_xcr0(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & (1u << 27))) return 0;  // OSXSAVE
    unsigned int low, high;
    __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    return ((unsigned long long)high << 32) | low;
}

/// x86-64-v3 (AVX2, FMA, BMI1, BMI2, F16C, LZCNT, MOVBE) with the YMM state enabled by the operating system.
static inline int lane_cpu_supports_x86_64_v3(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    const unsigned int leaf1 = (1u << 12) | (1u << 22) | (1u << 29) | (1u << 23) | (1u << 20) | (1u << 19);
    if ((ecx & leaf1) != leaf1) return 0;  // FMA, MOVBE, F16C, POPCNT, SSE4.2, SSE4.1
    if ((lane_xcr0() & 0x6) != 0x6) return 0;  // XMM and YMM state
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    const unsigned int leaf7 = (1u << 3) | (1u << 5) | (1u << 8);
    if ((ebx & leaf7) != leaf7) return 0;  // BMI1, AVX2, BMI2
    if (!__get_cpuid(0x80000001, &eax, &ebx, &ecx, &edx) || !(ecx & (1u << 5))) return 0;  // LZCNT
    return 1;
}

/// x86-64-v4 (x86-64-v3 and AVX-512 F, CD, BW, DQ, VL) with the opmask and ZMM state enabled.
static inline int lane_cpu_supports_x86_64_v4(void) {
    if (!lane_cpu_supports_x86_64_v3()) return 0;
    if ((lane_xcr0() & 0xE6) != 0xE6) return 0;  // XMM, YMM, opmask, ZMM_Hi256, Hi16_ZMM
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    const unsigned int avx512 = (1u << 16) | (1u << 17) | (1u << 28) | (1u << 30) | (1u << 31);
    return (ebx & avx512) == avx512;  // F, DQ, CD, BW, VL
}
#else
static inline int lane_cpu_supports_x86_64_v3(void) { return 0; }
static inline int lane_cpu_supports_x86_64_v4(void) { return 0; }
#endif

#endif
