// SwiftPM builds a C target from at least one source file; the hint itself is the inline function of
// include/daicho_prefetch.h.
#include "daicho_prefetch.h"
