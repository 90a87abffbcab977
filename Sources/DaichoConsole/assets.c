// The console's plain HTML, CSS and JavaScript files (Sources/DaichoConsole/Assets), embedded in the binary with
// C23 `#embed` at build time: no build step of their own, and the compiler's dependency file names each one, so
// editing an asset rebuilds it. A new asset is one `ASSET` line below.
#pragma clang diagnostic ignored "-Wc23-extensions"
#include "daicho_console.h"

static const unsigned char index_html[] = {
#embed "Assets/index.html"
};

static const unsigned char console_css[] = {
#embed "Assets/console.css"
};

static const unsigned char favicon_svg[] = {
#embed "Assets/favicon.svg"
};

static const unsigned char app_js[] = {
#embed "Assets/app.js"
};

static const unsigned char api_js[] = {
#embed "Assets/api.js"
};

static const unsigned char sse_js[] = {
#embed "Assets/sse.js"
};

static const unsigned char dom_js[] = {
#embed "Assets/dom.js"
};

static const unsigned char ui_js[] = {
#embed "Assets/ui.js"
};

static const unsigned char i18n_js[] = {
#embed "Assets/i18n.js"
};

static const unsigned char format_js[] = {
#embed "Assets/format.js"
};

static const unsigned char selector_js[] = {
#embed "Assets/selector.js"
};

static const unsigned char events_js[] = {
#embed "Assets/events.js"
};

static const unsigned char charts_js[] = {
#embed "Assets/charts.js"
};

static const unsigned char pages_customer_js[] = {
#embed "Assets/pages/customer.js"
};

static const unsigned char pages_dashboard_js[] = {
#embed "Assets/pages/dashboard.js"
};

static const unsigned char pages_live_js[] = {
#embed "Assets/pages/live.js"
};

static const unsigned char pages_rfm_js[] = {
#embed "Assets/pages/rfm.js"
};

static const unsigned char pages_search_js[] = {
#embed "Assets/pages/search.js"
};

static const unsigned char pages_segment_js[] = {
#embed "Assets/pages/segment.js"
};

static const unsigned char pages_segments_js[] = {
#embed "Assets/pages/segments.js"
};

static const unsigned char pages_signin_js[] = {
#embed "Assets/pages/signin.js"
};

#define ASSET(path, name) { path, name, sizeof name }

static const daicho_console_asset assets[] = {
    ASSET("index.html", index_html),
    ASSET("console.css", console_css),
    ASSET("favicon.svg", favicon_svg),
    ASSET("app.js", app_js),
    ASSET("api.js", api_js),
    ASSET("sse.js", sse_js),
    ASSET("dom.js", dom_js),
    ASSET("ui.js", ui_js),
    ASSET("i18n.js", i18n_js),
    ASSET("format.js", format_js),
    ASSET("selector.js", selector_js),
    ASSET("events.js", events_js),
    ASSET("charts.js", charts_js),
    ASSET("pages/customer.js", pages_customer_js),
    ASSET("pages/dashboard.js", pages_dashboard_js),
    ASSET("pages/live.js", pages_live_js),
    ASSET("pages/rfm.js", pages_rfm_js),
    ASSET("pages/search.js", pages_search_js),
    ASSET("pages/segment.js", pages_segment_js),
    ASSET("pages/segments.js", pages_segments_js),
    ASSET("pages/signin.js", pages_signin_js),
};

size_t daicho_console_asset_count(void) { return sizeof assets / sizeof assets[0]; }

const daicho_console_asset *daicho_console_asset_at(size_t index) {
    return index < daicho_console_asset_count() ? &assets[index] : NULL;
}
