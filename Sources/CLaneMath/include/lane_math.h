// Square roots of whole vectors. Swift lowers `squareRoot()` on SIMD vectors element by element through the C
// library's `sqrt` (with its errno check), which keeps it scalar; clang's element-wise builtin is one vector
// instruction (vsqrtpd). IEEE-754 square roots are correctly rounded: the same bits either way.
#ifndef LSTMLAB_LANE_MATH_H
#define LSTMLAB_LANE_MATH_H

typedef double lane_double4 __attribute__((ext_vector_type(4)));
typedef double lane_double8 __attribute__((ext_vector_type(8)));

static inline lane_double4 lane_sqrt4(lane_double4 x) { return __builtin_elementwise_sqrt(x); }
static inline lane_double8 lane_sqrt8(lane_double8 x) { return __builtin_elementwise_sqrt(x); }

#endif
