"""Phone benchmark: the decision flow walked by three people in Chromium at 390x844.

    BOTHAND_CHROMIUM=/usr/bin/chromium .venv/bin/python benchmarks/phone.py [--people a,b,c]
        [--json out.json] [--screenshots DIR]

The people of the December 2026 walk (research/ux-walk-2026-12.md):

* **a** (US): depression, mild on the PHQ-9, who would rather not take medicine;
* **b** (UK): depression, severe on the PHQ-9, answering 2 on its item 9;
* **c** (US): panic and PTSD, not sure about medicine.

Each is walked through the real app (a uvicorn server started as tests/browser do) from ``/``
to the summary and its PDF, tapping as a person would. Per page it reports the height in
screens (page height / 844, every ``<details>`` closed as the page opens), the bytes
transferred on a first load (the cache off: the page plus its stylesheets, scripts and images)
and the taps made on it.
Per person: the taps to a dated plan (every radio, checkbox, link and button pressed, from
Begin to the plan's timeline; typing the start date counts one), the swipes on the way (taps
whose target was not on screen when the person came to it, as after a page's first screen
without the questionnaire's move to the next item), where the options comparison ends and
where the readiness form starts (in screens), and the summary PDF's page count (read from
its page tree, which WeasyPrint keeps in compressed object streams) with the front sheet's
pages (those before "Details and sources", whose bookmark names its page). Targets (issue 10, item
10) are checked and printed as OK or OVER.

Each person's browser speaks their language (``Accept-Language`` en-US or en-GB). Each
answers what the flow requires and what they came to say (their concerns,
country, questionnaire answers, medicine and therapy feelings, whether they can take part in
therapy now); optional questions are left unanswered. A page that comes
back asking for more gets the answers its errors name. A page the walker does not know (a new
step another change adds) is answered by choosing, in each unanswered radio group, "no" (or
"yes" for a person with a positive risk answer) where offered, else the first choice, then
pressing the form's first button. So it keeps working when steps are added or moved. The
walker finds its way by labels from the locale files and by roles.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 390, 844
MAX_STEPS = 40  # pages before the walker gives up (a loop on a page it cannot pass)

TARGETS = {
    "options_comparison_screens": 2.0,  # the comparison ends inside the first two screens
    "options_screens": 8.0,  # the whole options page, details closed
    "pdf_front_pages": 2,  # the summary's front sheet (the PDF's pages reported in full)
    "taps_a": 25,  # taps to a plan for person a
    "page_kb": 100.0,  # every page, first load
}


@dataclass
class Person:
    key: str
    about: str
    concerns: tuple[str, ...]
    locale: str
    answers: dict[str, list[int]]  # instrument id -> item values in order
    severity: dict[str, str]  # condition -> clinician-rated severity (no questionnaire)
    medication: str
    therapy: str
    risk: bool  # answers "yes" to a risk question it does not know
    engage: str = "yes"  # able to take part in therapy now


PEOPLE = {
    "a": Person(
        "a",
        "mild depression, would rather avoid medicine",
        ("depression",),
        "en-US",
        {"phq9": [1, 1, 1, 1, 1, 1, 1, 0, 0]},
        {},
        "prefer_to_avoid",
        "open",
        False,
    ),
    "b": Person(
        "b",
        "severe depression, PHQ-9 item 9 = 2, UK",
        ("depression",),
        "en-GB",
        {"phq9": [3, 3, 3, 3, 2, 2, 2, 2, 2]},
        {},
        "open",
        "open",
        True,
    ),
    "c": Person(
        "c",
        "panic with PTSD, unsure about medicine",
        ("panic", "ptsd"),
        "en-US",
        {"pcl5": [2, 2, 3, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 3, 2, 1, 3, 2, 2, 2]},
        {"panic": "moderate"},
        "unsure",
        "open",
        False,
    ),
}


@dataclass
class PageRow:
    person: str
    page: str
    screens: float
    kb: float
    taps: int = 0  # taps made on this page (answers, links and buttons pressed)
    swipes: int = 0  # of those, the ones whose target was off screen first
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Walked:
    person: str
    rows: list[PageRow] = field(default_factory=list)
    taps_to_plan: int = 0
    scrolls_to_plan: int = 0  # taps whose target was off screen first (a swipe to reach it)
    pdf_pages: int = 0
    pdf_front_pages: int | None = None  # pages before "Details and sources"
    options_comparison_screens: float = 0.0
    options_ready_screens: float = 0.0


# --- the server (as tests/browser/conftest.py starts it) ---------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "BOTHAND_SECRET_KEY": "phone-benchmark-" + "k" * 40}
    command = [sys.executable, "-m", "uvicorn", "bothand.web.app:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--no-server-header"]
    command += ["--no-access-log", "--log-level", "warning"]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with opener.open(base + "/api/health", timeout=1) as response:
                if response.status == 200:
                    return process, base
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"the server did not start:\n{log.read_text()[-2000:]}")


# --- measuring a page --------------------------------------------------------------------

FIRST_LOAD = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  let bytes = nav ? nav.transferSize : 0;
  for (const r of performance.getEntriesByType('resource')) bytes += r.transferSize;
  return bytes;
}"""

IN_VIEW = """(el) => {
  const box = el.getBoundingClientRect();
  return box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0;
}"""

TOP_OF = """(selector) => {
  const el = document.querySelector(selector);
  if (!el) return null;
  const box = el.getBoundingClientRect();
  return {top: box.top + window.scrollY, bottom: box.bottom + window.scrollY};
}"""


def _pdf_parts(pdf: bytes) -> list[bytes]:
    """The file itself and every Flate stream in it, inflated: WeasyPrint puts the page tree
    inside compressed object streams, where a search of the raw bytes finds nothing."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        head = pdf[max(0, match.start() - 400) : match.start()]
        if b"/FlateDecode" not in head.rsplit(b"obj", 1)[-1]:
            continue
        try:
            parts.append(zlib.decompressobj().decompress(pdf[match.end() :]))
        except zlib.error:
            continue
    return parts


def page_count(pdf: bytes) -> int:
    """Pages of a PDF: the largest /Count of a /Pages node (in the file or in one of its
    compressed object streams), else the /Page objects."""
    counts: list[int] = []
    pages = 0
    for part in _pdf_parts(pdf):
        counts += [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", part)]
        counts += [int(n) for n in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", part)]
        pages += len(re.findall(rb"/Type\s*/Page\b", part))
    return max(counts, default=pages)


def pages_before(pdf: bytes, heading: str) -> int | None:
    """The pages before the one where ``heading`` starts, read from the PDF's outline (its
    bookmark's destination page, counted in the page tree), or None when it is not there.
    The summary's details start on a new page, so this is the front sheet's length."""
    parts = _pdf_parts(pdf)
    title = re.escape(heading.encode("latin-1", "replace"))
    kids: list[bytes] = []
    target = None
    for part in parts:
        found = re.search(rb"/Title\s*\(" + title + rb"\)\s*/Dest\s*\[\s*(\d+)\s+0\s+R", part)
        if found and target is None:
            target = found.group(1)
        for listed in re.findall(rb"/Kids\s*\[([^\]]*)\]", part):
            numbers = re.findall(rb"(\d+)\s+0\s+R", listed)
            if len(numbers) > len(kids):
                kids = numbers
    if target is None or target not in kids:
        return None
    return kids.index(target)


# --- the walk ----------------------------------------------------------------------------


class Walker:
    def __init__(self, page: Any, labels: Any, person: Person, shots: Path | None):
        self.page = page
        self.labels = labels
        self.person = person
        self.taps = 0
        self.scrolls = 0
        self.shots = shots
        self.walked = Walked(person.key)
        self.seen: dict[str, int] = {}

    # taps
    def tap(self, locator: Any) -> None:
        target = locator.first
        if not self.in_view(target):
            self.scrolls += 1  # a person would swipe to it (Playwright scrolls for us)
        target.click()
        self.taps += 1

    def in_view(self, target: Any) -> bool:
        """Whether ``target`` is on screen, waiting a moment for a scroll the page started
        (the questionnaire's move to the next item after an answer)."""
        for _ in range(8):
            if target.evaluate(IN_VIEW):
                return True
            self.page.wait_for_timeout(100)
        return False

    def press(self, locator: Any) -> None:
        """A tap that loads a page."""
        with self.page.expect_navigation():
            self.tap(locator)

    def link(self, key: str) -> Any:
        return self.page.get_by_role("link", name=self.labels[key], exact=True)

    def button(self, key: str) -> Any:
        return self.page.get_by_role("button", name=self.labels[key], exact=True)

    def record(self) -> str:
        page = self.page
        path = page.url.split("127.0.0.1", 1)[1].split(":", 1)[1]
        path = "/" + path.split("/", 1)[1] if "/" in path else "/"
        path = path.split("#")[0]
        n = self.seen.get(path, 0)
        self.seen[path] = n + 1
        name = path if n == 0 else f"{path} ({n + 1})"
        height = page.evaluate("() => document.documentElement.scrollHeight")
        kb = page.evaluate(FIRST_LOAD) / 1024
        row = PageRow(self.person.key, name, round(height / HEIGHT, 1), round(kb, 1))
        if path == "/options" and n == 0:
            rows = page.evaluate(TOP_OF, ".compare-rows")
            ready = page.evaluate(TOP_OF, "form.sure-after")
            if rows:
                self.walked.options_comparison_screens = round(rows["bottom"] / HEIGHT, 2)
            if ready:
                self.walked.options_ready_screens = round(ready["top"] / HEIGHT, 2)
        self.walked.rows.append(row)
        if self.shots:
            slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "start"
            page.screenshot(path=self.shots / f"{self.person.key}-{slug}.png", full_page=True)
            (self.shots / f"{self.person.key}-{slug}.html").write_text(page.content())
        return path

    # answering
    def choose_value(self, name: str, value: str) -> bool:
        radio = self.page.locator(f'main input[type=radio][name="{name}"][value="{value}"]')
        if radio.count() == 0:
            return False
        if not radio.first.is_checked():
            self.tap(self.page.locator(f'label[for="{radio.first.get_attribute("id")}"]'))
        return True

    def unanswered_groups(self) -> list[str]:
        return list(
            self.page.evaluate(
                """() => {
              const names = [];
              for (const r of document.querySelectorAll('main form input[type=radio]')) {
                // a question not shown (the ASQ's question 5 before a "yes") is not asked
                if (!names.includes(r.name) && r.getClientRects().length) names.push(r.name);
              }
              return names.filter(n => !document.querySelector(
                `main form input[type=radio][name="${n}"]:checked`));
            }"""
            )
        )

    def groups_in_error(self) -> list[str]:
        return list(
            self.page.evaluate(
                """() => {
              const names = [];
              for (const r of document.querySelectorAll(
                  'main form fieldset.has-error input[type=radio]')) {
                if (!names.includes(r.name)) names.push(r.name);
              }
              return names;
            }"""
            )
        )

    def answer_unknown(self, names: list[str]) -> None:
        for name in names:
            values = self.page.eval_on_selector_all(
                f'main form input[type=radio][name="{name}"]', "els => els.map(e => e.value)"
            )
            wanted = "yes" if self.person.risk else "no"
            self.choose_value(name, wanted if wanted in values else values[0])

    def submit(self) -> None:
        self.press(self.page.locator("main form button[type=submit]").last)

    def step(self, path: str) -> bool:
        """One page; False once the plan's timeline is on screen."""
        page, labels, person = self.page, self.labels, self.person
        if path == "/":
            self.press(self.link("flow.start.begin"))
        elif path == "/concerns":
            for concern in person.concerns:
                self.tap(page.locator(f'label[for="concern-{concern.replace("_", "-")}"]'))
            self.choose_value("locale", person.locale)
            self.submit()
        elif path == "/about":
            self.press(self.link("flow.about.skip"))
        elif path.startswith("/questions/") or path.startswith("/severity"):
            condition = path.rsplit("/", 1)[1]
            groups = self.unanswered_groups()
            for instrument, values in person.answers.items():
                mine = [g for g in groups if g.startswith(instrument + ".")]
                for name, value in zip(mine, values, strict=False):
                    self.choose_value(name, str(value))
            if condition in person.severity:
                self.choose_value("severity", person.severity[condition])
            self.submit()  # optional items left; a required one unknown is answered below
        elif path == "/results":
            self.press(self.link("flow.results.continue"))
        elif path == "/values":
            self.choose_value("medication", person.medication)
            self.choose_value("therapy", person.therapy)
            self.choose_value("engage", person.engage)
            self.submit()
        elif path == "/options":
            self.press(self.button("flow.options.submit"))
        elif path == "/plan":
            if page.locator("ol.timeline").count():
                return False
            start = page.get_by_label(labels["flow.plan.start_label"], exact=True)
            start.fill((dt.date(2027, 1, 4)).isoformat())
            self.taps += 1  # the date picked
            self.press(self.button("flow.plan.submit"))
        else:  # a step the walker does not know: answer what it asks, then go on
            self.answer_unknown(self.unanswered_groups())
            self.submit()
        return True

    def walk(self, base: str) -> Walked:
        page = self.page
        page.goto(base + "/")
        for _ in range(MAX_STEPS):
            path = self.record()
            row, taps, scrolls = self.walked.rows[-1], self.taps, self.scrolls
            before = page.url
            going = self.step(path)
            if going and page.url == before and path not in ("/plan",):
                # the same page again: it asked for something more; answer what its errors
                # name (optional questions stay unanswered, as a person would leave them)
                self.answer_unknown(self.groups_in_error() or self.unanswered_groups())
                self.submit()
            row.taps, row.swipes = self.taps - taps, self.scrolls - scrolls
            if not going:
                break
        else:
            raise SystemExit(f"person {self.person.key}: no plan after {MAX_STEPS} pages")
        self.walked.taps_to_plan = self.taps
        self.walked.scrolls_to_plan = self.scrolls
        self.press(self.link("flow.plan.summary"))
        self.record()
        href = self.link("summary.download_pdf").first.get_attribute("href")
        pdf = page.request.get(base + href).body()
        if self.shots:
            (self.shots / f"{self.person.key}-summary.pdf").write_bytes(pdf)
        self.walked.pdf_pages = page_count(pdf)
        self.walked.pdf_front_pages = pages_before(pdf, self.labels["summary.details_heading"])
        return self.walked


def walk_person(browser: Any, base: str, labels: Any, person: Person, shots: Path | None) -> Walked:
    context = browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT}, has_touch=True, locale=person.locale
    )
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        return Walker(page, labels, person, shots).walk(base)
    finally:
        context.close()


# --- the report --------------------------------------------------------------------------


def ok(good: bool) -> str:
    return "OK" if good else "OVER"


def table(results: list[Walked]) -> str:
    keys = [w.person for w in results]
    pages: list[str] = []
    for w in results:
        for row in w.rows:
            if row.page not in pages:
                pages.append(row.page)
    lines = [
        "| page | "
        + " | ".join(f"{k}: screens" for k in keys)
        + " | "
        + " | ".join(f"{k}: KB" for k in keys)
        + " | "
        + " | ".join(f"{k}: taps" for k in keys)
        + " | "
        + " | ".join(f"{k}: swipes" for k in keys)
        + " |"
    ]
    lines.append("|---" * (1 + 4 * len(keys)) + "|")
    for name in pages:
        cells = []
        for field_ in ("screens", "kb", "taps", "swipes"):
            for w in results:
                found = [r for r in w.rows if r.page == name]
                cells.append(f"{getattr(found[0], field_)}" if found else "")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        "| person | taps to a plan | swipes to a plan | options comparison ends (screens) "
        "| readiness form starts (screens) | summary PDF pages (front sheet) |"
    )
    lines.append("|---|---|---|---|---|---|")
    for w in results:
        lines.append(
            f"| {w.person} ({PEOPLE[w.person].about}) | {w.taps_to_plan} | "
            f"{w.scrolls_to_plan} | {w.options_comparison_screens} | "
            f"{w.options_ready_screens} | {w.pdf_pages} ({w.pdf_front_pages}) |"
        )
    return "\n".join(lines)


def verdicts(results: list[Walked]) -> list[str]:
    out = []
    for w in results:
        options = next((r for r in w.rows if r.page == "/options"), None)
        out.append(
            f"{w.person}: options comparison inside 2 screens: "
            f"{ok(0 < w.options_comparison_screens <= TARGETS['options_comparison_screens'])}"
        )
        if options:
            out.append(
                f"{w.person}: options page <= 8 screens: "
                f"{ok(options.screens <= TARGETS['options_screens'])} ({options.screens})"
            )
        front = w.pdf_front_pages
        out.append(
            f"{w.person}: summary front sheet <= {TARGETS['pdf_front_pages']} A4 pages: "
            f"{ok(front is not None and front <= TARGETS['pdf_front_pages'])} "
            f"({front} of {w.pdf_pages} pages)"
        )
        heavy = [r for r in w.rows if r.kb >= TARGETS["page_kb"]]
        out.append(
            f"{w.person}: every page < 100 KB: {ok(not heavy)}"
            + (f" ({', '.join(r.page for r in heavy)})" if heavy else "")
        )
        if w.person == "a":
            out.append(
                f"a: taps to a plan <= 25: {ok(w.taps_to_plan <= TARGETS['taps_a'])} "
                f"({w.taps_to_plan})"
            )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", default="a,b,c", help="which people, e.g. a,c")
    parser.add_argument("--json", type=Path, help="also write the measurements as JSON here")
    parser.add_argument(
        "--screenshots",
        type=Path,
        help="full-page screenshots (and the HTML, and the summary PDF) into this folder",
    )
    args = parser.parse_args(argv)
    keys = [k.strip() for k in args.people.split(",") if k.strip()]
    unknown = [k for k in keys if k not in PEOPLE]
    if unknown:
        parser.error(f"--people: unknown {', '.join(unknown)} (choose from a, b, c)")
    chromium = os.environ.get("BOTHAND_CHROMIUM") or shutil.which("chromium")
    if not chromium:
        parser.error("set BOTHAND_CHROMIUM to Chromium (e.g. /usr/bin/chromium)")

    from playwright.sync_api import sync_playwright

    from bothand.catalog import load_catalog

    labels = load_catalog().labels
    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        process, base = start_server(Path(tmp) / "server.log")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium,
                    headless=True,
                    args=[
                        "--no-sandbox",
                        "--disable-gpu",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                    ],
                )
                try:
                    results = [
                        walk_person(browser, base, labels, PEOPLE[k], args.screenshots)
                        for k in keys
                    ]
                finally:
                    browser.close()
        finally:
            process.terminate()
            process.wait(timeout=10)
    print(
        f"Chromium at {WIDTH}x{HEIGHT}; screens = page height / {HEIGHT}; KB = first load, "
        "cache off (page + its files)\n"
    )
    print(table(results))
    print()
    print("\n".join(verdicts(results)))
    if args.json:
        args.json.write_text(
            json.dumps(
                [w.__dict__ | {"rows": [r.__dict__ for r in w.rows]} for w in results], indent=2
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
