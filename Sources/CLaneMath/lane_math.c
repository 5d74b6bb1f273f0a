// The functions are all `static inline` in include/lane_math.h; this file only makes CLaneMath a C target.
#include "lane_math.h"
