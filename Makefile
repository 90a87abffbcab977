# Daicho — two commands on a fresh Debian machine: `make demo` and `make test`.
SWIFT ?= swift
DATA ?= ./daicho-data
DEMO_EVENTS ?= 200000
DEMO_CUSTOMERS ?= 20000
BIN = .build/release/daicho

.PHONY: deps build release demo test bench bench-scale bench-smoke clean

# Installs the system library libzstd (and pkg-config) when it is missing.
deps:
	@if ! pkg-config --exists libzstd 2>/dev/null || [ ! -f /usr/include/zstd.h ]; then \
		echo "installing libzstd-dev (needs root or sudo)"; \
		SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq libzstd-dev pkg-config; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product daicho

demo: release
	@mkdir -p $(DATA)
	$(BIN) generate --events $(DEMO_EVENTS) --customers $(DEMO_CUSTOMERS) --seed 42 --out $(DATA)/sample.ndjson
	@$(BIN) append --data $(DATA) $(DATA)/sample.ndjson; s=$$?; \
	  if [ $$s -eq 1 ]; then echo "(exit status 1: the sample holds a few deliberately broken lines; they are in rejects_file)"; \
	  elif [ $$s -ne 0 ]; then exit $$s; fi
	$(BIN) stats --data $(DATA)
	@id=$$($(BIN) profiles --data $(DATA) | grep -m1 '"email":\[.*"orders":[1-9]' | sed -E 's/^\{"id":"([^"]+)".*/\1/'); \
	  echo; echo "One unified customer ($$id):"; \
	  $(BIN) profile --data $(DATA) --id $$id; \
	  echo; echo "Their latest 3 touchpoints:"; \
	  $(BIN) timeline --data $(DATA) --id $$id --limit 3
	@echo; echo "Segments (docs/segments.md):"
	@$(BIN) segment define --data $(DATA) vip 'commerce.orders >= 5' --description "five orders or more" >/dev/null
	@$(BIN) segment define --data $(DATA) complained_week 'count(inquiry where category == "complaint" within 7d) >= 1' >/dev/null
	@$(BIN) segment define --data $(DATA) tokyo_buyers_30d 'traits.prefecture == "東京都" and count(purchase within 30d) >= 1' >/dev/null
	$(BIN) segment list --data $(DATA)
	@echo
	@echo "Try:"
	@echo "  $(BIN) watch --data $(DATA) --from 0 --max-records 5   # the enter/exit feed; live while you append"
	@echo "  $(BIN) segment members --data $(DATA) vip | head -3"
	@echo "  $(BIN) profiles --data $(DATA) | head -3            # every profile as NDJSON"
	@echo "  $(BIN) profile --data $(DATA) --email <address> --as-of $$(date -u -d '30 days ago' +%F)   # as at the end of that day"
	@echo "  $(BIN) export --data $(DATA) --type purchase --since $$(date -u +%F)   # today's purchases (the sample ends now)"
	@echo "  $(BIN) verify --data $(DATA)"
	@echo "  $(BIN) append --data $(DATA) $(DATA)/sample.ndjson   # again: every event is a duplicate; the broken lines are rejected again (exit 1)"
	@echo "  $(BIN) --help"
	@echo
	@token=$$($(BIN) serve keys --data $(DATA) | sed -E 's/.*"read_tokens":\["([^"]+)".*/\1/'); \
	  echo "Open the web console (docs/console.md) — serve the directory over HTTP (docs/http-api.md; Ctrl-C stops it gracefully):"; \
	  echo "  $(BIN) serve --data $(DATA) --listen 127.0.0.1:8080"; \
	  echo "then open http://127.0.0.1:8080/ in a browser and sign in with the read token"; \
	  echo "  $$token"; \
	  echo "($(BIN) serve keys --data $(DATA) prints the keys again; README \"Server\" has curl examples)"

# The python3 packages of the cross-check tests (schemas/check*.py, the phone-number reference). pip installs them;
# where the system Python is externally managed (Debian), into the user's site-packages.
PY_TEST_PACKAGES = jsonschema phonenumbers
# The real Segment and RudderStack SDKs the server's tests post with (Tests/DaichoServerTests/RealSDKTests.swift).
SDK_PACKAGES = segment-analytics-python rudder-sdk-python

# The browser tests of the console (Tests/browser/console_test.py): Debian's Chromium and its driver, CJK fonts
# for the Japanese pages, and python3's selenium (never a downloaded browser or driver).
BROWSER_APT_PACKAGES = chromium chromium-driver fonts-noto-cjk

test: deps
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || [ ! -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]; then \
		echo "installing $(BROWSER_APT_PACKAGES) for the browser tests (needs root or sudo)"; \
		SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
		{ $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $(BROWSER_APT_PACKAGES); } \
		  || echo "note: could not install $(BROWSER_APT_PACKAGES); the browser tests (ConsoleBrowserTests) will be reported skipped"; \
	fi
	@python3 -c "import selenium" 2>/dev/null \
	  || python3 -m pip install --quiet selenium 2>/dev/null \
	  || python3 -m pip install --quiet --user --break-system-packages selenium \
	  || echo "note: could not install the python3 package selenium; the browser tests (ConsoleBrowserTests) will be reported skipped"
	@python3 -c "import jsonschema, referencing, phonenumbers" 2>/dev/null \
	  || python3 -m pip install --quiet $(PY_TEST_PACKAGES) 2>/dev/null \
	  || python3 -m pip install --quiet --user --break-system-packages $(PY_TEST_PACKAGES) \
	  || echo "note: could not install the python3 packages $(PY_TEST_PACKAGES); the JSON Schema and phone-number cross-checks will be reported skipped"
	@[ -x .build/sdk-venv/bin/python ] || { python3 -m venv .build/sdk-venv && .build/sdk-venv/bin/pip install --quiet $(SDK_PACKAGES); } \
	  || { rm -rf .build/sdk-venv; echo "note: could not create the SDK venv (.build/sdk-venv with $(SDK_PACKAGES)); the real-SDK tests will be reported skipped"; }
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel --num-workers 2

bench: deps
	$(SWIFT) build -c release --product daicho
	cd Benchmarks && $(SWIFT) build -c release
	Benchmarks/.build/release/daicho-bench $(BENCH_ARGS)

# Issue 9 "Scale": the default workload and one ten times larger side by side (docs/benchmarks.md "Scale mode").
bench-scale: deps
	$(SWIFT) build -c release --product daicho
	cd Benchmarks && $(SWIFT) build -c release
	Benchmarks/.build/release/daicho-bench --scale --runs 3 $(BENCH_ARGS)

bench-smoke: deps
	$(SWIFT) build -c release --product daicho
	cd Benchmarks && $(SWIFT) build -c release
	Benchmarks/.build/release/daicho-bench --events 50000 --customers 5000 --runs 1 --backfill-customers 20000

clean:
	rm -rf .build Benchmarks/.build
