"""Times the console's customer page in headless Chromium (issue 11 target: <= 1 s in the browser).

For each e-mail address: load `#/search?q=<address>` in a signed-in console and wait until the customer page shows
its header and the first timeline entry; the time is from the navigation to that moment (the search request, the
profile, the timeline page and the rendering). Prints one JSON object: {"count", "p50_ms", "p99_ms", "max_ms"}.
Run by daicho-bench (ConsoleBenchmarks.swift); needs chromium, chromium-driver and selenium (make test installs them).

usage: customer_page.py URL TOKEN EMAILS_FILE [--chromium PATH] [--chromedriver PATH] [--count N]
"""
import argparse
import json
import os
import time
import urllib.parse

os.environ.setdefault("SE_OFFLINE", "true")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("token")
    parser.add_argument("emails")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    parser.add_argument("--count", type=int, default=50)
    args = parser.parse_args()
    emails = [line.strip() for line in open(args.emails) if line.strip()][: args.count]

    options = webdriver.ChromeOptions()
    options.binary_location = args.chromium
    for flag in ("--headless=new", "--no-sandbox", "--window-size=1280,900", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(args.chromedriver), options=options)
    try:
        base = args.url.rstrip("/") + "/"
        driver.get(base)
        driver.execute_script("sessionStorage.setItem(arguments[0], arguments[1])", "daicho.token", args.token)
        times = []
        for n, email in enumerate(emails):
            # A fresh page per customer (nothing carried over from the previous one but the browser's file cache).
            driver.get("about:blank")
            started = time.monotonic()
            driver.get(base + "#/search?q=" + urllib.parse.quote(email, safe=""))
            WebDriverWait(driver, 30, poll_frequency=0.005).until(
                lambda d: d.find_elements(By.CSS_SELECTOR, "#customer-id") and d.find_elements(By.CSS_SELECTOR, "#timeline li.event"),
                f"no customer page for address {n}")
            times.append((time.monotonic() - started) * 1000)
        times.sort()
        print(json.dumps({"count": len(times), "p50_ms": times[len(times) // 2],
                          "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))], "max_ms": times[-1]}))
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
