#!/usr/bin/env python3
"""Browser tests of the Daicho console (docs/console.md "Console pages"), in headless Chromium driven by selenium.

Run against a running `daicho serve` on a data directory with a generated workload:

    console_test.py --url http://127.0.0.1:PORT --data DIR --daicho .build/debug/daicho --out OUTDIR

The read token and write key come from DIR/serve.json. Scenarios (issue 11): sign in; search a full-width phone
number and land on the right customer; page the timeline; define a segment with a typo, see the caret message,
fix it, save, and compare the preview count with `daicho segment list`; append events with `daicho append
--server` and see them on the live page (also after a pause) and on the customer page without a reload; the
dashboard's RFM cells against a reference computed here from `daicho profiles`. A scenario needing a route the
server does not have yet is reported skipped, never passed. Every page is screenshotted into OUTDIR, and any SEVERE
entry of the browser's console log fails the run, except the network entries of the answers a scenario asks for
on purpose (a 404 for a customer nobody is, a 400 for a rule with a typo, a 401 for a wrong token), which are
listed in EXPECTED_NETWORK.

Exit status 0 when every scenario that ran passed (with --require-all: and none was skipped), 1 otherwise. Needs
/usr/bin/chromium, /usr/bin/chromedriver and the selenium package; nothing is downloaded (SE_OFFLINE).
"""

import argparse
import bisect
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

os.environ.setdefault("SE_OFFLINE", "true")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

WAIT = 15

# Network errors a scenario causes on purpose: (route pattern, status). Anything else SEVERE fails the run.
EXPECTED_NETWORK = [
    (re.compile(r"/v1/profiles/[^ ]*"), 404),
    (re.compile(r"/v1/profiles/phone:abc "), 400),
    (re.compile(r"/v1/segments/check"), 400),
    (re.compile(r"/v1/segments "), 401),  # the sign-in page trying a wrong token
]


class Skip(Exception):
    """A scenario that cannot run here (a route the server does not have yet), with the reason."""


class Console:
    def __init__(self, args):
        self.url = args.url.rstrip("/")
        self.data = args.data
        self.daicho = args.daicho
        self.out = args.out
        keys = json.load(open(os.path.join(args.data, "serve.json")))
        self.token = first_key(keys["read_tokens"])
        self.write_key = first_key(keys["write_keys"])
        options = webdriver.ChromeOptions()
        options.binary_location = args.chromium
        for flag in ("--headless=new", "--no-sandbox", "--window-size=1280,900", "--disable-dev-shm-usage",
                     "--lang=en-US", "--disable-gpu"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(args.chromedriver), options=options)
        self.driver.set_page_load_timeout(30)
        self.severe = []
        self.shots = []

    # -- helpers ------------------------------------------------------------------------------------------------
    def api(self, method, path, body=None, expect=(200,)):
        request = urllib.request.Request(self.url + path, method=method,
                                         data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Authorization": "Bearer " + self.token,
                                                  "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, text = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        if status not in expect:
            raise AssertionError(f"{method} {path}: HTTP {status} {text[:300]!r}")
        return status, (json.loads(text) if text else None)

    def has_route(self, method, path, body=None):
        """False when the server has no such route (405, or 404 "no route …"), true for any other answer."""
        status, answer = self.api(method, path, body, expect=range(100, 600))
        return not no_route(status, answer)

    def cli(self, *args):
        done = subprocess.run([self.daicho, *args], capture_output=True, text=True, timeout=120)
        if done.returncode not in (0, 1):
            raise AssertionError(f"daicho {' '.join(args)}: exit {done.returncode}: {done.stderr[:500]}")
        return done.stdout

    def append(self, events):
        with tempfile.NamedTemporaryFile("w", suffix=".ndjson", delete=False, encoding="utf-8") as f:
            for event in events:
                f.write(json.dumps(event, ensure_ascii=False) + "\n")
        try:
            summary = json.loads(self.cli("append", "--server", self.url, "--write-key", self.write_key, f.name).strip().splitlines()[-1])
        finally:
            os.unlink(f.name)
        assert summary["appended"] == len(events), summary
        return summary

    def go(self, hash_route):
        self.driver.get(self.url + "/" + hash_route)

    def wait(self, condition, timeout=WAIT, message=""):
        return WebDriverWait(self.driver, timeout).until(condition, message)

    def visible(self, css, timeout=WAIT):
        return self.wait(EC.visibility_of_element_located((By.CSS_SELECTOR, css)), timeout, f"no visible {css}")

    def present(self, css, timeout=WAIT):
        return self.wait(EC.presence_of_element_located((By.CSS_SELECTOR, css)), timeout, f"no {css}")

    def text_in(self, css, text, timeout=WAIT):
        return self.wait(EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text), timeout,
                         f"{css} never held {text!r}")

    def all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def shot(self, name):
        path = os.path.join(self.out, name + ".png")
        self.driver.save_screenshot(path)
        self.shots.append(path)
        self.collect_log()

    def collect_log(self):
        for entry in self.driver.get_log("browser"):
            if entry["level"] != "SEVERE":
                continue
            message = entry["message"]
            if entry.get("source") == "network" and any(
                    pattern.search(message) and f"status of {status}" in message for pattern, status in EXPECTED_NETWORK):
                continue
            self.severe.append(message)

    def quit(self):
        if self.driver is None:
            return
        self.collect_log()
        self.driver.quit()
        self.driver = None


def no_route(status, answer):
    message = ((answer or {}).get("error") or {}).get("message", "")
    return status == 405 or (status == 404 and message.startswith("no route"))


def first_key(entries):
    entry = entries[0]
    return entry["key"] if isinstance(entry, dict) else entry


def full_width_domestic(e164):
    """`+819012345678` → `０９０－１２３４－５６７８`: the domestic form, hyphenated, in full-width characters."""
    assert e164.startswith("+81"), e164
    national = "0" + e164[3:]
    if len(national) == 11:
        parts = [national[:3], national[3:7], national[7:]]
    else:
        parts = [national[:2], national[2:6], national[6:]]
    return "－".join("".join(chr(ord(c) + 0xFEE0) for c in part) for part in parts)


# -- scenarios --------------------------------------------------------------------------------------------------

def console_is_served(c):
    with urllib.request.urlopen(c.url + "/", timeout=30) as response:
        kind = response.headers.get("Content-Type", "")
        csp = response.headers.get("Content-Security-Policy", "")
        page = response.read().decode()
    assert kind.startswith("text/html"), f"/ is {kind}"
    assert "script-src 'self'" in csp, f"no CSP on /: {csp!r}"
    assert 'src="app.js"' in page


def message_tables_match(c):
    c.go("#/signin")
    keys = c.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "import('/i18n.js').then(m => done({ja: Object.keys(m.messages.ja).sort(), en: Object.keys(m.messages.en).sort()}));")
    assert keys["ja"] == keys["en"], f"keys only in ja: {set(keys['ja']) - set(keys['en'])}; only in en: {set(keys['en']) - set(keys['ja'])}"
    assert len(keys["ja"]) > 100


def search_kinds(c):
    """The search box recognises the kind as `daicho profile`'s selectors do (docs/console.md "Search")."""
    cases = [
        ("taro@example.jp", "auto", "email", "taro@example.jp"),
        ("Ｔａｒｏ＠example.jp", "auto", "email", "Ｔａｒｏ＠example.jp"),
        ("０９０－１２３４－５６７８", "auto", "phone", "０９０－１２３４－５６７８"),
        ("+81 90-1234-5678", "auto", "phone", "+81 90-1234-5678"),
        ("(03) 1234 5678", "auto", "phone", "(03) 1234 5678"),
        ("０３ー１２３４ー５６７８", "auto", "phone", "０３ー１２３４ー５６７８"),
        ("ｘ：＠taro", "auto", "x", "@taro"),
        ("p-0123456789abcdef", "auto", "id", "p-0123456789abcdef"),
        ("p-0123", "auto", "user_id", "p-0123"),
        ("x:@taro", "auto", "x", "@taro"),
        ("line:U123", "auto", "line", "U123"),
        ("email:a@b.jp", "auto", "email", "a@b.jp"),
        ("U-1", "auto", "user_id", "U-1"),
        ("12345", "user_id", "user_id", "12345"),
        ("  spaced  ", "auto", "user_id", "spaced"),
        ("taro", "handle", None, None),
        ("instagram:taro", "handle", "instagram", "taro"),
    ]
    got = c.driver.execute_async_script(
        "const [cases, done] = arguments;"
        "import('/selector.js').then(m => done(cases.map(([text, override]) => m.recognise(text, override))));",
        [[text, override] for text, override, _, _ in cases])
    for (text, override, kind, value), answer in zip(cases, got):
        expected = None if kind is None else {"kind": kind, "value": value}
        assert answer == expected, f"{text!r} ({override}): {answer}, expected {expected}"


def sign_in(c):
    c.go("#/search")
    c.wait(lambda d: "#/signin" in d.current_url, message="an unsigned visit did not go to the sign-in page")
    field = c.visible("#token")
    c.shot("signin")
    field.send_keys("drt_not_a_token")
    c.driver.find_element(By.CSS_SELECTOR, "form.signin button").click()
    c.visible("form.signin .error")
    field.clear()
    field.send_keys(c.token)
    c.driver.find_element(By.CSS_SELECTOR, "form.signin button").click()
    c.wait(lambda d: "#/search" in d.current_url, message="sign-in did not land on the search page")
    assert c.token not in c.driver.current_url
    c.visible("#q")


def profiles(c):
    return [json.loads(line) for line in c.cli("profiles", "--data", c.data).splitlines() if line.strip()]


def search_full_width_phone(c, everyone):
    target = next(p for p in everyone if p["identifiers"].get("phone", [""])[0].startswith("+81") and p["events"] >= 25)
    phone = target["identifiers"]["phone"][0]
    typed = full_width_domestic(phone)
    c.go("#/search")
    box = c.visible("#q")
    box.send_keys(typed)
    c.text_in("#recognised", "Phone")
    c.shot("search")
    started = time.monotonic()
    box.submit()
    c.text_in("#customer-id", target["id"])
    c.visible("#timeline li.event")
    print(f"     the customer page with its timeline {1000 * (time.monotonic() - started):.0f} ms after the search", flush=True)
    c.shot("customer")
    # No customer: said plainly.
    c.go("#/search?q=" + "nobody-" + str(time.time_ns()) + "%40example.invalid")
    no_match = c.visible("#no-match")
    assert "No customer matches" in no_match.text, no_match.text
    # A value that cannot be normalized: the server's reason.
    c.go("#/search?q=abc&kind=phone")
    reason = c.visible("#search-error")
    assert "cannot be normalized" in reason.text, reason.text
    return target


def timeline_pages(c, target):
    c.go("#/customer/" + target["id"])
    c.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#timeline li.event")) == 20, message="first page of 20 events")
    first = [(e.get_attribute("data-offset"), e.find_element(By.TAG_NAME, "time").get_attribute("datetime"))
             for e in c.all("#timeline li.event")]
    c.driver.find_element(By.ID, "timeline-more").click()
    c.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#timeline li.event")) > 20, message="no second page")
    second = [(e.get_attribute("data-offset"), e.find_element(By.TAG_NAME, "time").get_attribute("datetime"))
              for e in c.all("#timeline li.event")][20:]
    assert not {o for o, _ in first} & {o for o, _ in second}, "the second page repeats events"
    oldest_first_page = min(parse_time(at) for _, at in first)
    assert all(parse_time(at) <= oldest_first_page for _, at in second), "the next page holds newer events"
    # Newest first within the page, and the page matches `daicho timeline`.
    times = [parse_time(at) for _, at in first]
    assert times == sorted(times, reverse=True), "page 1 is not newest first"
    expected = [json.loads(line)["offset"] for line in
                c.cli("timeline", "--data", c.data, "--id", target["id"], "--limit", "20").splitlines() if line.strip()]
    assert [int(o) for o, _ in first] == expected, "page 1 differs from daicho timeline"
    # An event opens to its JSON.
    event = c.all("#timeline li.event")[0]
    event.find_element(By.TAG_NAME, "summary").click()
    shown = json.loads(event.find_element(By.CSS_SELECTOR, "pre.json").text)
    assert shown["offset"] == expected[0]
    # As of a past day: the profile and timeline `daicho profile|timeline --as-of` print, and no live following.
    day = (parse_time(target["first_seen"]) + (parse_time(target["last_seen"]) - parse_time(target["first_seen"])) / 2).date().isoformat()
    then = json.loads(c.cli("profile", "--data", c.data, "--id", target["id"], "--as-of", day))
    c.go("#/customer/" + target["id"] + "?as_of=" + day)
    c.visible("#as-of-note")
    c.text_in("#customer-events", f"{then['events']:,}")
    c.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#timeline li.event"), message="the as-of timeline")
    expected_then = [json.loads(line)["offset"] for line in c.cli(
        "timeline", "--data", c.data, "--id", target["id"], "--limit", "20", "--as-of", day).splitlines() if line.strip()]
    assert [int(e.get_attribute("data-offset")) for e in c.all("#timeline li.event")] == expected_then
    assert not c.all("#live-status"), "an as-of page follows live events"
    c.go("#/customer/" + target["id"])
    c.visible("#timeline li.event")
    # Filter by type.
    Select(c.driver.find_element(By.ID, "timeline-type")).select_by_value("page_view")
    c.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#timeline li.event") and all(
        e.get_attribute("data-type") == "page_view" for e in d.find_elements(By.CSS_SELECTOR, "#timeline li.event")),
        message="the type filter")


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))


def segment_editor(c):
    if not c.has_route("POST", "/v1/segments/check", {"rule": "commerce.orders >= 1"}):
        raise Skip("the server has no POST /v1/segments/check yet")
    name = "console_repeat_buyers"
    c.go("#/segment")
    c.visible("#segment-name").send_keys(name)
    rule = c.visible("#rule")
    rule.send_keys("commerce.order >= 2")
    caret = c.visible("#rule-caret")
    assert "^" in caret.text and "commerce.order >= 2" in caret.text, caret.text
    c.text_in("#rule-message", "1:10")
    c.shot("segment-typo")
    rule.send_keys("\b\b\b\b\b")  # "commerce.order" + "s >= 2"
    rule.send_keys("s >= 2")
    preview = c.visible("#preview-count")
    assert not c.all("#rule-error"), "the caret message stayed after the fix"
    preview_members = int(preview.get_attribute("data-members"))
    c.driver.find_element(By.ID, "save").click()
    c.wait(lambda d: "#/segment/" + name in d.current_url, message="save did not open the segment")
    c.visible("#segment-members")
    listed = {s["name"]: s["members"] for s in map(json.loads, c.cli("segment", "list", "--data", c.data).splitlines())}
    assert listed[name] == preview_members, f"preview {preview_members}, segment list {listed[name]}"
    assert c.driver.find_element(By.ID, "segment-members").text.replace(",", "") == str(listed[name])
    c.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#members-card tbody tr"), message="members")
    c.shot("segment")
    c.go("#/segments")
    shown = c.visible(f'#segments .members[data-segment="{name}"]')
    assert shown.text.replace(",", "") == str(listed[name])
    c.shot("segments")


def live_and_customer(c, target):
    if not c.has_route("GET", "/v1/events/live?from=999999999999"):
        raise Skip("the server has no GET /v1/events/live yet")
    user = target["identifiers"].get("user_id", [None])[0]
    ids = {"user_id": user} if user else {"phone": target["identifiers"]["phone"][0]}
    marker = "Console Live " + str(time.time_ns())
    c.api("PUT", "/v1/segments/console_live", {"rule": f'count(track where event == "{marker}") >= 1'})
    c.go("#/live")
    c.text_in("#live-state", "Live")
    c.present("#feed-list[data-connected]")
    c.present("#events-list[data-connected]")

    def event(n):
        return {"id": f"console-{marker}-{n}", "type": "track", "at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
                "source": "console-test", "ids": ids, "props": {"event": marker, "n": n}}

    c.append([event(1)])
    c.text_in("#events-list", marker)
    c.wait(lambda d: any("console_live" in e.text and target["id"] in e.text for e in d.find_elements(By.CSS_SELECTOR, "#feed-list li")),
           message="the feed did not show the segment entry")
    c.shot("live")
    # Paused: nothing is drawn; resumed: what came meanwhile arrives, once.
    c.driver.find_element(By.ID, "pause").click()
    c.text_in("#live-state", "Paused")
    c.wait(lambda d: not d.find_elements(By.CSS_SELECTOR, "#events-list[data-connected]"), message="pausing did not stop the stream")
    c.append([event(2), event(3)])
    time.sleep(1.5)
    assert len([e for e in c.all("#events-list li.event") if marker in e.text]) == 1, "a paused page drew events"
    c.driver.find_element(By.ID, "pause").click()
    c.wait(lambda d: len([e for e in d.find_elements(By.CSS_SELECTOR, "#events-list li.event") if marker in e.text]) == 3,
           message="resuming did not bring the two events appended while paused")
    time.sleep(1)
    offsets = [e.get_attribute("data-offset") for e in c.all("#events-list li.event")]
    assert len(offsets) == len(set(offsets)), "an event was shown twice after resuming"
    # Paused before its first event: resuming starts where the stream began (its starting cursor), not "from now".
    c.go("#/segments")
    c.go("#/live")
    c.present("#events-list[data-connected]")
    c.driver.find_element(By.ID, "pause").click()
    c.wait(lambda d: not d.find_elements(By.CSS_SELECTOR, "#events-list[data-connected]"), message="pausing did not stop the stream")
    c.append([event(6)])
    c.driver.find_element(By.ID, "pause").click()
    c.text_in("#events-list", marker)  # missed when the page resumed "from now"
    # The customer page follows too, without a reload.
    c.go("#/customer/" + target["id"])
    c.visible("#timeline li.event")
    c.text_in("#live-status", "Live")
    c.driver.execute_script("window.__sameDocument = true;")
    before = int(c.driver.find_element(By.ID, "customer-events").text.replace(",", ""))
    c.append([event(4), event(5)])

    def top_two(d):
        shown = [e.get_attribute("textContent") for e in d.find_elements(By.CSS_SELECTOR, "#timeline li.event pre.json")[:2]]
        return len(shown) == 2 and '"n": 5' in shown[0] and '"n": 4' in shown[1]
    c.wait(top_two, message="the customer page did not show the two new events on top, newest first")
    c.text_in("#customer-events", str(before + 2))
    assert c.driver.execute_script("return window.__sameDocument === true;"), "the page was reloaded"
    c.shot("customer-live")


def dashboard_rfm(c):
    status, board = c.api("GET", "/v1/dashboard", expect=range(100, 600))
    if no_route(status, board):
        raise Skip("the server has no GET /v1/dashboard yet")
    assert status == 200, (status, board)
    reference = rfm_reference(c, board)
    served = {(cell["r"], cell["f"]): cell["customers"] for cell in board["rfm"]["cells"]}
    assert served == reference, f"/v1/dashboard rfm {served} != reference {reference}"
    c.go("#/dashboard")
    c.visible("#rfm-grid")
    for panel in ("events", "revenue", "buyers", "rfm", "voc", "social", "identity"):
        c.visible(f"#panel-{panel} .reading")
    drawn = {(int(e.get_attribute("data-r")), int(e.get_attribute("data-f"))): int(e.get_attribute("data-customers"))
             for e in c.all("#rfm-grid [data-r]")}
    assert drawn == reference, f"drawn {drawn} != reference {reference}"
    c.shot("dashboard")
    busiest = max(reference, key=reference.get)
    link = c.driver.find_element(By.CSS_SELECTOR, f'#rfm-grid a[data-r="{busiest[0]}"][data-f="{busiest[1]}"]')
    link.click()
    c.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#rfm-customers li")) == min(reference[busiest], 100),
           message="the cell's customers")
    served_ids = c.api("GET", "/v1/dashboard/rfm?r=%d&f=%d&limit=100" % busiest)[1]["profiles"]
    assert [e.text for e in c.all("#rfm-customers li a")] == served_ids, "the cell's customers differ from /v1/dashboard/rfm"
    c.shot("rfm-cell")
    # A range and an as-of time chosen in the page: drawn as /v1/dashboard answers for them.
    last = datetime.date.fromisoformat(board["range"]["to"])
    query = {"from": (last - datetime.timedelta(days=89)).isoformat(), "to": (last - datetime.timedelta(days=30)).isoformat(),
             "as_of": (last - datetime.timedelta(days=20)).isoformat()}
    c.go("#/dashboard")
    c.visible("#rfm-grid")
    for field, value in (("from", query["from"]), ("to", query["to"]), ("as-of", query["as_of"])):
        c.driver.execute_script("arguments[0].value = arguments[1];", c.driver.find_element(By.ID, field), value)
    c.driver.find_element(By.ID, "apply").click()
    c.wait(lambda d: "as_of=" + query["as_of"] in d.current_url, message="the as-of range was not applied")
    c.text_in(".totals", query["from"])
    _, earlier = c.api("GET", "/v1/dashboard?" + urllib.parse.urlencode(query))
    c.wait(lambda d: {(int(e.get_attribute("data-r")), int(e.get_attribute("data-f"))): int(e.get_attribute("data-customers"))
                      for e in d.find_elements(By.CSS_SELECTOR, "#rfm-grid [data-r]")}
           == {(x["r"], x["f"]): x["customers"] for x in earlier["rfm"]["cells"]}, message="the as-of grid")
    assert c.driver.find_element(By.CSS_SELECTOR, "#open-at-end").text.replace(",", "") == str(earlier["voc"]["open_at_end"])
    c.shot("dashboard-as-of")
    # A phone's width: the panels stack and nothing but a table's own box scrolls sideways.
    c.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                             {"width": 360, "height": 780, "deviceScaleFactor": 1, "mobile": True})
    try:
        c.driver.refresh()
        c.visible("#rfm-grid")
        width = c.driver.execute_script("return document.documentElement.scrollWidth;")
        assert width <= 360, f"the dashboard is {width} px wide on a 360 px screen"
        c.shot("dashboard-360")
    finally:
        c.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    # Japanese: the same page renders its Japanese messages and names.
    Select(c.driver.find_element(By.ID, "lang")).select_by_value("ja")
    c.text_in("#nav", "ダッシュボード")
    c.go("#/dashboard")
    c.visible("#rfm-grid")
    c.shot("dashboard-ja")


def rfm_reference(c, board):
    """docs/console.md panel 4 recomputed from `daicho profiles --as-of TO`: the profiles with a purchase in the RFM
    currency on a day of the range; recency = days from the last purchase day to TO (age_days − recency_days, both
    counted to TO's day), frequency = distinct purchase days − 1; quintiles by rank, ties to the lower one."""
    first = datetime.date.fromisoformat(board["range"]["from"])
    last = datetime.date.fromisoformat(board["range"]["to"])
    span = (last - first).days
    rows = []
    for line in c.cli("profiles", "--data", c.data, "--as-of", board["range"]["to"]).splitlines():
        commerce = json.loads(line)["commerce"]
        if commerce["frequency"] is None:
            continue
        recency = commerce["age_days"] - commerce["recency_days"]
        if recency <= span:
            rows.append((recency, commerce["frequency"]))
    assert len(rows) == board["rfm"]["customers"], f"reference {len(rows)} customers, served {board['rfm']['customers']}"
    return quintile_cells(rows)


def quintiles(values):
    """Rank-based quintiles 1…5 of `values` (ascending), ties to the lower quintile."""
    order = sorted(values)
    n = len(order)
    # bisect_left: the first position of the value, so ties share the lowest rank.
    return [bisect.bisect_left(order, v) * 5 // n + 1 for v in values]


def quintile_cells(rows):
    cells = {(r, f): 0 for r in range(1, 6) for f in range(1, 6)}
    if not rows:
        return cells
    recency = quintiles([-days for days, _ in rows])
    frequency = quintiles([f for _, f in rows])
    for r, f in zip(recency, frequency):
        cells[(r, f)] += 1
    return cells


def leaving_pages_frees_connections(c, target):
    """Pages left for another site keep no stream open: a browser opens at most 6 connections to a server, and a
    page kept in the back/forward cache with its live stream would hold one, so the 7th visit would stall for a
    minute. Ten visits of the customer page (it follows the live events), each left for about:blank, each load fast."""
    for n in range(10):
        c.driver.get("about:blank")
        started = time.monotonic()
        c.go("#/customer/" + target["id"])
        c.text_in("#customer-id", target["id"], timeout=8)
        c.visible("#timeline li.event", timeout=8)
        took = time.monotonic() - started
        assert took < 8, f"visit {n + 1} of the customer page took {took:.1f} s"


def phone_width(c, target):
    """Every page fits a 360 px wide phone screen: nothing wider than the screen but what scrolls in its own box."""
    c.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                             {"width": 360, "height": 780, "deviceScaleFactor": 1, "mobile": True})
    try:
        for route, ready in (("#/search", "#q"), ("#/customer/" + target["id"], "#timeline li.event"),
                             ("#/segments", "#new-segment"), ("#/live", "#pause")):
            c.go(route)
            c.driver.refresh()
            c.visible(ready)
            width = c.driver.execute_script("return document.documentElement.scrollWidth;")
            assert width <= 360, f"{route} is {width} px wide on a 360 px screen"
        c.go("#/customer/" + target["id"])
        c.visible("#timeline li.event")
        c.shot("customer-360")
    finally:
        c.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--daicho", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    parser.add_argument("--require-all", action="store_true", help="a skipped scenario fails the run (CI)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    c = Console(args)
    failed, skipped = [], []
    everyone = profiles(c)
    target = None

    def run(name, fn, *fn_args):
        try:
            started = time.monotonic()
            result = fn(c, *fn_args)
            print(f"ok   {name} ({time.monotonic() - started:.1f} s)", flush=True)
            return True if result is None else result
        except Skip as why:
            skipped.append(name)
            print(f"skip {name}: {why}", flush=True)
        except Exception:
            failed.append(name)
            print(f"FAIL {name}\n{traceback.format_exc()}", flush=True)
            try:
                c.shot("failed-" + name)
            except Exception:
                pass
        return None

    try:
        if not run("the console is served at /", console_is_served) and failed:
            return finish(c, failed, skipped, args.require_all)
        run("message tables have the same keys", message_tables_match)
        run("sign in", sign_in)
        run("search kinds recognised", search_kinds)
        target = run("search a full-width phone number", search_full_width_phone, everyone)
        if target:
            run("timeline pages", timeline_pages, target)
            run("pages left keep no connection", leaving_pages_frees_connections, target)
            run("360 px wide", phone_width, target)
        run("segment rule editor", segment_editor)
        if target:
            run("live page and customer page follow appends", live_and_customer, target)
        run("dashboard RFM grid", dashboard_rfm)
    finally:
        c.quit()
    return finish(c, failed, skipped, args.require_all)


def finish(c, failed, skipped, require_all):
    c.quit()
    if require_all and skipped:
        failed.extend("skipped: " + name for name in skipped)
    if c.severe:
        failed.append("browser console")
        print("FAIL browser console: SEVERE entries:\n  " + "\n  ".join(c.severe), flush=True)
    print(json.dumps({"failed": failed, "skipped": skipped, "screenshots": c.shots}), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
