// The console's files (docs/console.md), embedded in the binary by assets.c.
#ifndef DAICHO_CONSOLE_H
#define DAICHO_CONSOLE_H
#include <stddef.h>

/// One embedded file of the console: its path under `/` (e.g. "index.html"), its bytes and their count.
typedef struct {
    const char *path;
    const unsigned char *bytes;
    size_t count;
} daicho_console_asset;

/// The number of embedded files.
size_t daicho_console_asset_count(void);

/// The embedded file at `index` (0 ..< daicho_console_asset_count()).
const daicho_console_asset *daicho_console_asset_at(size_t index);

#endif
