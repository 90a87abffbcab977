// The console's plain HTML, CSS and JavaScript files (Sources/DaichoConsole/Assets), embedded in the binary with
// C23 `#embed` at build time: no build step of their own, and the compiler's dependency file names each one, so
// editing an asset rebuilds it. A new asset is one `ASSET` line below.
#pragma clang diagnostic ignored "-Wc23-extensions"
#include "daicho_console.h"

static const unsigned char index_html[] = {
#embed "Assets/index.html"
};

#define ASSET(path, name) { path, name, sizeof name }

static const daicho_console_asset assets[] = {
    ASSET("index.html", index_html),
};

size_t daicho_console_asset_count(void) { return sizeof assets / sizeof assets[0]; }

const daicho_console_asset *daicho_console_asset_at(size_t index) {
    return index < daicho_console_asset_count() ? &assets[index] : NULL;
}
