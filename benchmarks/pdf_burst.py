"""32 concurrent GET /summary.pdf against a running server, with /api/health polled meanwhile
from another thread: the latency of the PDFs, the health endpoint's median and p99, and the
server's RSS (issue 9, item 8).

    BOTHAND_SECRET_KEY=bench-kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk \\
      .venv/bin/python -m uvicorn bothand.web.app:create_app --factory --port 8711 \\
      --no-access-log --log-level warning &
    .venv/bin/python benchmarks/pdf_burst.py 8711 $! [retry]

With ``retry`` every client that gets 503 waits 0.5 s and asks again until it has its PDF
(sustained load); without, each asks once. Linux only (RSS from /proc).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import threading
import time
from pathlib import Path

import httpx
from itsdangerous import URLSafeTimedSerializer

SECRET = "bench-" + "k" * 40
STATE = {
    "csrf": "bench",
    "locale": "en-GB",
    "concerns": ["depression", "ptsd"],
    "answers": {"depression": [2, 1, 2, 2, 1, 1, 2, 0, 0]},
    "instruments": {"depression": "phq9"},
    "severity": {"ptsd": "moderate"},
    "results_seen": True,
    "preferences": {"medication": "open", "therapy": "open"},
    "engage": True,
    "option": "combined",
    "start": "2026-12-01",
}
COOKIE = URLSafeTimedSerializer(SECRET, salt="bothand.flow").dumps(STATE)
BURST = 32


def rss_mb(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) // 1024
    return 0


async def burst(base: str, pid: int, retry: bool) -> None:
    cookies = {"bothand_flow": COOKIE}
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=base, timeout=600, cookies=cookies, limits=limits) as c:
        assert (await c.get("/summary.pdf")).status_code == 200  # warm up
        print(f"RSS before: {rss_mb(pid)} MB")
        done = threading.Event()
        health: list[float] = []

        def poll() -> None:
            with httpx.Client(base_url=base, timeout=600) as h:
                while not done.is_set():
                    began = time.perf_counter()
                    h.get("/api/health")
                    health.append(time.perf_counter() - began)
                    time.sleep(0.05)

        poller = threading.Thread(target=poll)
        poller.start()
        peak = 0

        async def watch() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, rss_mb(pid))
                await asyncio.sleep(0.05)

        async def one() -> tuple[int, float]:
            began = time.perf_counter()
            while True:
                response = await c.get("/summary.pdf")
                if response.status_code != 503 or not retry:
                    return response.status_code, time.perf_counter() - began
                await asyncio.sleep(0.5)

        watcher = asyncio.create_task(watch())
        began = time.perf_counter()
        results = await asyncio.gather(*(one() for _ in range(BURST)))
        wall = time.perf_counter() - began
        done.set()
        poller.join()
        await watcher
    codes: dict[int, int] = {}
    for code, _ in results:
        codes[code] = codes.get(code, 0) + 1
    times = sorted(t for _, t in results)
    ok = [t for code, t in results if code == 200]
    polls = sorted(health)
    p99 = polls[min(len(polls) - 1, int(0.99 * len(polls)))]
    print(f"status codes {codes}; wall {wall:.1f} s")
    print(f"PDF latency: median {statistics.median(times):.2f} s", end="")
    print(f" (of the 200s {statistics.median(ok):.2f} s), max {times[-1]:.2f} s")
    print(f"health: {len(polls)} polls, median {statistics.median(polls) * 1000:.0f} ms", end="")
    print(f", p99 {p99 * 1000:.0f} ms, max {polls[-1] * 1000:.0f} ms")
    print(f"RSS peak during the burst: {peak} MB")


if __name__ == "__main__":
    port, pid = int(sys.argv[1]), int(sys.argv[2])
    asyncio.run(burst(f"http://127.0.0.1:{port}", pid, retry="retry" in sys.argv[3:]))
