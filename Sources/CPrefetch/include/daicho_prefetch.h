// A cache prefetch hint for the replay's apply loop (docs/benchmarks.md "Prefetching profiles"). Swift has no
// prefetch intrinsic; this is the compiler builtin, inlined. A hint never faults, whatever the address.
#ifndef DAICHO_PREFETCH_H
#define DAICHO_PREFETCH_H

/// Asks the CPU to bring the cache line holding `address` closer, for a write soon.
static inline __attribute__((always_inline)) void daicho_prefetch(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

#endif
