"""Web benchmark: page weight, server time of the options page, and API throughput.

    .venv/bin/python benchmarks/web.py [--requests 1000] [--duration 10] [--connections 32]

1. **First-load bytes per page**: each page of the flow fetched with a filled flow cookie
   (a moderate-depression case), plus every stylesheet, script and image it links: the bodies
   uncompressed, and the bytes transferred to a client that accepts gzip (static files are
   compressed; pages are not, see web/app.py). Target: under 100 KB transferred per page (the
   PDF is not a page).
2. **Server time of /options**: the ASGI app called in-process (no network, no client) for
   ``--requests`` requests with the same cookie; median and 99th percentile.
3. **Throughput**: a real server (``uvicorn``, one process, loopback) under ``wrk`` with
   ``--connections`` concurrent connections for ``--duration`` seconds, first on a trivial
   endpoint (``GET /api/health``, the baseline) and then on ``POST /api/recommend`` posting
   ``--bodies`` varied generated cases in turn, side by side. Target: recommend at least half
   the baseline's rate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from bothand.settings import Settings
from bothand.web.app import create_app

PAGES = [
    "/",
    "/concerns",
    "/questions/depression",
    "/results",
    "/values",
    "/options",
    "/plan",
    "/summary",
    "/learn",
    "/learn/depression",
    "/help",
]
# A flow state as the pages write it (FlowAnswers in web/flowstate.py), far enough for every page.
STATE: dict[str, Any] = {
    "csrf": "benchmark-token",
    "locale": "en-US",
    "concerns": ["depression"],
    "answers": {"depression": [2, 1, 2, 2, 1, 1, 2, 1, 0]},
    "instruments": {"depression": "phq9"},
    "results_seen": True,
    "values": {"speed": 2, "daily_pill": 1, "skills": 3},
    "leaning": "unsure",
    "preferences": {"medication": "open", "therapy": "open"},
    "engage": True,
    "sure_before": {"sure": "no", "understand": "yes", "risks": "no", "support": "yes"},
}
SECRET = "benchmark-secret-" + "k" * 32
LINKED = re.compile(r'<(?:link[^>]+href|script[^>]+src|img[^>]+src)="(/[^"]+)"')


def cookie_for(app: Any) -> str:
    return f"bothand_flow={app.state.flow.signer.dumps(STATE)}"


def page_weights(client: TestClient, cookie: str) -> list[tuple[str, int, int, int, int]]:
    """Per page: status, HTML bytes, linked asset bytes (uncompressed), and the bytes a browser
    asking for gzip actually receives for the page and its assets."""
    rows = []
    for path in PAGES:
        page = client.get(
            path, headers={"cookie": cookie, "accept": "text/html"}, follow_redirects=False
        )
        assets = [client.get(asset) for asset in sorted(set(LINKED.findall(page.text)))]
        raw = sum(len(asset.content) for asset in assets)
        wire = page.num_bytes_downloaded + sum(asset.num_bytes_downloaded for asset in assets)
        rows.append((path, page.status_code, len(page.content), raw, wire))
    return rows


async def server_times(app: Any, cookie: str, n: int) -> list[float]:
    transport = httpx.ASGITransport(app=app)
    times = []
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        await client.get("/options", headers={"cookie": cookie})  # warm up
        for _ in range(n):
            start = time.perf_counter()
            response = await client.get("/options", headers={"cookie": cookie})
            times.append(time.perf_counter() - start)
            if response.status_code != 200:
                raise SystemExit(f"/options answered {response.status_code}")
    return times


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wrk(url: str, seconds: int, connections: int, script: str | None) -> float:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script:
        command += ["-s", script]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 30
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"wrk saw {errors.group(1)} error responses from {url}")
    if not match:
        raise SystemExit(f"wrk printed no rate:\n{output}")
    return float(match.group(1))


def rotating_bodies(bodies: list[str]) -> str:
    """A wrk script that posts the given JSON bodies in turn, one per request."""
    quoted = ",\n".join("[==[" + body + "]==]" for body in bodies)
    return (
        f"local bodies = {{\n{quoted}\n}}\n"
        "local i = 0\n"
        'local headers = {["Content-Type"] = "application/json"}\n'
        "request = function()\n"
        "  i = i % #bodies + 1\n"
        '  return wrk.format("POST", nil, headers, bodies[i])\n'
        "end\n"
    )


def throughput(seconds: int, connections: int, bodies: list[str]) -> tuple[float, float]:
    port = free_port()
    env = dict(os.environ, BOTHAND_SECRET_KEY=SECRET)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bothand.web.app:create_app",
            "--factory",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(rotating_bodies(bodies))
        baseline = wrk(f"{base}/api/health", seconds, connections, None)
        recommend = wrk(f"{base}/api/recommend", seconds, connections, lua.name)
        Path(lua.name).unlink()
        return baseline, recommend
    finally:
        server.terminate()
        server.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--bodies", type=int, default=2000, help="varied cases posted in turn")
    args = parser.parse_args(argv)

    app = create_app(Settings(secret_key=SECRET))
    cookie = cookie_for(app)
    print("## Page weight on first load (bytes)\n")
    print(
        "| Page | Status | HTML | Linked CSS/JS/images | Total uncompressed "
        "| Transferred (gzip) | Under 100 KB |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    with TestClient(app, base_url="http://bench") as client:
        for path, status, html, assets, wire in page_weights(client, cookie):
            total = html + assets
            ok = "yes" if wire < 100_000 else "NO"
            print(f"| `{path}` | {status} | {html:,} | {assets:,} | {total:,} | {wire:,} | {ok} |")

    times = asyncio.run(server_times(app, cookie, args.requests))
    ms = sorted(t * 1000 for t in times)
    p99 = ms[max(0, int(len(ms) * 0.99) - 1)]
    print(f"\n## Server time of /options ({args.requests} requests in-process)\n")
    print(f"median {statistics.median(ms):.2f} ms, 99th percentile {p99:.2f} ms\n")

    sys.path.insert(0, str(Path(__file__).parent))
    from cases import generate

    bodies = [json.dumps(case) for case in generate(app.state.catalog, args.bodies, 20261127)]
    baseline, recommend = throughput(args.duration, args.connections, bodies)
    print(f"## Throughput, wrk -c{args.connections} -d{args.duration}s, one uvicorn process\n")
    print("| Endpoint | Requests/s | ÷ baseline |")
    print("|---|---:|---:|")
    print(f"| `GET /api/health` (baseline) | {baseline:,.0f} | 1.00 |")
    print(f"| `POST /api/recommend` | {recommend:,.0f} | {recommend / baseline:.2f} |")
    met = "met" if recommend >= baseline / 2 else "NOT met"
    print(f"\nTarget (recommend at least half the baseline): {met}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
