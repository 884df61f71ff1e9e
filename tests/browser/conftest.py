"""Fixtures for the browser tests (see ``tests/browser/__init__.py``): the real server, Debian's
Chromium through Playwright, a fresh context per test, and the ``check_axe`` and
``screenshot`` helpers."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Route,
    sync_playwright,
)

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"

NARROW = {"width": 390, "height": 844}  # a common phone
WIDE = {"width": 1280, "height": 800}  # a laptop
WIDTHS = (NARROW["width"], WIDE["width"])

# As root Chromium needs --no-sandbox; the rest stop it from reaching out on its own (the
# machine's network is closed, and a test must never depend on or leak to the internet).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
NO_CHROMIUM = "install Debian's chromium (apt-get install chromium) to run browser tests"
SERVER_START_SECONDS = 30.0
DEFAULT_TIMEOUT_MS = 10_000


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


# --- the server -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _healthy(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
    try:
        with opener.open(url, timeout=1) as response:
            return response.status == 200 and json.load(response) == {"status": "ok"}
    except (OSError, ValueError):
        return False


def _start_server(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Run the app as ``bothand serve`` does (uvicorn, factory, no server header, no access
    log) in its own process, so the test run's warning filters and threads stay apart."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "BOTHAND_SECRET_KEY": "browser-tests-" + "k" * 40,
        "BOTHAND_DATA_DIR": str(log.parent / "data"),  # the clinic record: a fresh SQLite file
    }
    subprocess.run(
        [sys.executable, "-m", "bothand.cli", "db", "upgrade"],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
    )
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "bothand.web.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-server-header",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if _healthy(base + "/api/health"):
            return process, base
        time.sleep(0.1)
    _stop(process)
    raise RuntimeError(f"the server did not answer /api/health:\n{log.read_text()[-4000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def server_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("server") / "uvicorn.log"


@pytest.fixture(scope="session")
def base_url(server_log: Path) -> Iterator[str]:
    """The base URL of the real app on loopback (a free port; one retry if it was taken)."""
    try:
        process, base = _start_server(server_log)
    except RuntimeError:
        process, base = _start_server(server_log)
    try:
        yield base
    finally:
        _stop(process)


# --- the browser ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium: ``BOTHAND_CHROMIUM`` or ``chromium`` on PATH. Missing: skipped
    locally, a failure in CI (a browser test is never skipped there)."""
    configured = os.environ.get("BOTHAND_CHROMIUM")
    if configured:
        if not (os.path.isfile(configured) and os.access(configured, os.X_OK)):
            pytest.fail(f"BOTHAND_CHROMIUM={configured} is not an executable file")
        return configured
    found = shutil.which("chromium")
    if found:
        return found
    if in_ci():
        pytest.fail(f"Chromium not found in CI (CI=true): {NO_CHROMIUM}; .ci/run does this as root")
    pytest.skip(NO_CHROMIUM)


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path,
            headless=True,
            args=CHROMIUM_ARGS,
            chromium_sandbox=False,
        )
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Seen:
    """What the pages of one test did: requests aborted for leaving the origin, and console
    errors (CSP violations among them) and uncaught page errors, each as
    ``(text, url of the resource or script it is about)``."""

    foreign: list[str] = field(default_factory=list)
    console_errors: list[tuple[str, str]] = field(default_factory=list)


@pytest.fixture
def seen() -> Seen:
    return Seen()


OpenPage = Callable[..., Page]


@pytest.fixture
def open_page(browser: Browser, base_url: str, seen: Seen) -> Iterator[OpenPage]:
    """``open_page(width=1280, height=None, javascript=True)``: a page in a fresh context
    (its own cookies), ``base_url`` set, requests to other origins aborted and recorded."""
    contexts: list[BrowserContext] = []

    def guard(route: Route) -> None:
        url = route.request.url
        if url.startswith(base_url + "/") or url.startswith("data:"):
            route.continue_()
        else:
            seen.foreign.append(url)
            route.abort("blockedbyclient")

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            seen.console_errors.append((message.text, message.location.get("url", "")))

    def open_(
        width: int = WIDE["width"], height: int | None = None, *, javascript: bool = True
    ) -> Page:
        context = browser.new_context(
            base_url=base_url,
            viewport={"width": width, "height": height or (844 if width < 600 else 800)},
            java_script_enabled=javascript,
            locale="en-US",
            reduced_motion="reduce",
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.route("**/*", guard)
        contexts.append(context)
        page = context.new_page()
        page.on("console", on_console)
        page.on("pageerror", lambda error: seen.console_errors.append((str(error), page.url)))
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page: OpenPage) -> Page:
    """A wide (1280 px) page in a fresh context."""
    return open_page(WIDE["width"])


@pytest.fixture
def narrow_page(open_page: OpenPage) -> Page:
    """A phone-sized (390 px) page in a fresh context."""
    return open_page(NARROW["width"], NARROW["height"])


@pytest.fixture
def wide_page(open_page: OpenPage) -> Page:
    """A laptop-sized (1280 px) page in a fresh context."""
    return open_page(WIDE["width"], WIDE["height"])


# --- helpers ----------------------------------------------------------------------------


def run_cli(data_dir: Path, *args: str, stdin: str = "") -> str:
    """``bothand ARGS`` on the clinic record in ``data_dir`` (the server's own, for the
    session server); the last line it printed (an id or a token)."""
    env = {**os.environ, "BOTHAND_SECRET_KEY": "browser-tests-" + "k" * 40}
    env["BOTHAND_DATA_DIR"] = str(data_dir)
    done = subprocess.run(
        [sys.executable, "-m", "bothand.cli", *args],
        cwd=REPO,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def new_clinician(data_dir: Path, clinic: str, email: str, password: str, *roles: str) -> str:
    """A new clinic named ``clinic`` and its user ``email`` (a clinician, and ``roles``), made
    with the command line; the email."""
    clinic_id = run_cli(data_dir, "clinic", "create", clinic)
    granted = [part for role in ("clinician", *roles) for part in ("--role", role)]
    run_cli(
        data_dir,
        *("user", "add", email, "--clinic", clinic_id, *granted, "--password-stdin"),
        stdin=password + "\n",
    )
    return email


def check_axe(page: Page) -> None:
    """Run axe-core with the WCAG 2.2 A/AA tags; fail listing each violation's rule id,
    impact, help text and the CSS target of every node. Waits for the page's load event first:
    a page checked before its stylesheet applies shows unstyled, too-small targets."""
    page.wait_for_load_state("load")
    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": AXE_TAGS},
            "resultTypes": ["violations"],
        },
    )
    violations: list[dict[str, Any]] = results.response["violations"]
    if violations:
        lines = [f"{len(violations)} axe violation(s) on {page.url}:"]
        for violation in violations:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"]:
                lines.append(f"    target {json.dumps(node['target'])}")
        pytest.fail("\n".join(lines), pytrace=False)


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG as ``test-artifacts/screenshots/<name>-<width>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = (page.viewport_size or {"width": 0})["width"]
    path = SCREENSHOTS / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
