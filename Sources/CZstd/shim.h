// Shim for the system library libzstd (apt: libzstd-dev). See docs/log-format.md.
#ifndef DAICHO_CZSTD_SHIM_H
#define DAICHO_CZSTD_SHIM_H
#include <zstd.h>

/// ZSTD_isError as a function Swift can call with a size_t result.
static inline unsigned daicho_zstd_is_error(size_t code) { return ZSTD_isError(code); }

/// ZSTD_CONTENTSIZE_ERROR and ZSTD_CONTENTSIZE_UNKNOWN are macros Swift cannot import.
static inline unsigned long long daicho_zstd_contentsize_error(void) { return ZSTD_CONTENTSIZE_ERROR; }
static inline unsigned long long daicho_zstd_contentsize_unknown(void) { return ZSTD_CONTENTSIZE_UNKNOWN; }
#endif
