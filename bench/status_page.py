"""The public status page under readers: `GET /status` with 1,000 incidents of history at 50 concurrent readers
(each reloading the page every second, as people keep it open during an outage), against the floor of serving a
static file of the same page with the same server (uvicorn, one process, one worker).

    python bench/status_page.py [--db sqlite|postgres] [--quick]

Both servers run as child processes; the readers (httpx, keep-alive) alternate between them round by round, so a
noisy machine weighs on both alike. Target (issue 17): p99 under 20 ms and within 3x the floor. The page is rendered
from each process's cached snapshot, checked against the page revision on every request.
"""

import argparse
import asyncio
import contextlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import database, free_port, percentile
from firebell.domain.policy import Policy
from firebell.domain.status_page.vocabulary import ComponentStatus, PublicStatus
from firebell.services.context import Context
from firebell.services.incidents import DeclareRequest, declare_incident
from firebell.services.status_page.publishing import draft_public_update
from firebell.store.database import Database
from firebell.store.engine import make_engine
from firebell.store.migrate import upgrade

POLICY: dict[str, Any] = {
    "announcement_channel": None,
    "services": [{"name": "checkout", "escalation_policy": "checkout"}, {"name": "search"}],
    "escalation_policies": [{"name": "checkout", "steps": [{"notify": ["user:U0BENCH01"]}]}],
    "status_page": {
        "title": "Acme status",
        "timezone": "Europe/Berlin",
        "components": [
            {"name": "Checkout API", "group": "Payments", "services": ["checkout"], "description": "Card payments"},
            {"name": "Refunds", "group": "Payments"},
            {"name": "Search", "services": ["search"]},
            {"name": "Website"},
        ],
    },
}
COMPONENTS = ["checkout-api", "refunds", "search", "website"]
OUTAGES = [ComponentStatus.DEGRADED_PERFORMANCE, ComponentStatus.PARTIAL_OUTAGE, ComponentStatus.MAJOR_OUTAGE]
SERVER = r"""
import sys, uvicorn
from pathlib import Path
mode, url, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
if mode == "page":
    from firebell.api.status_page.app import create_status_app
    from firebell.api.status_page.cache import StatusPageCache
    from firebell.domain.policy import Policy
    from firebell.services.context import Context
    from firebell.store.database import Database
    from firebell.store.engine import make_engine
    import json
    policy = Policy.model_validate(json.loads(sys.argv[4]))
    app = create_status_app(StatusPageCache(Context(db=Database(make_engine(url)), policy=policy)))
else:
    from starlette.applications import Starlette
    from starlette.responses import FileResponse
    from starlette.routing import Route
    page = str(Path(url) / "index.html")
    async def status(request):
        return FileResponse(page, media_type="text/html; charset=utf-8")  # as a static file server sends it
    app = Starlette(routes=[Route("/status", status)])
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
"""


class Clock:
    """A clock the seeding moves by hand (the history lies in the past)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def seed(url: str, incidents: int) -> None:
    """`incidents` public incidents over the last 120 days (each investigated, then resolved), one open now."""
    engine = make_engine(url)
    upgrade(engine)
    start = datetime.now(UTC) - timedelta(days=120)
    clock = Clock(start)
    ctx = Context(db=Database(engine), policy=Policy.model_validate(POLICY), clock=clock)
    step = timedelta(days=119) / incidents
    for n in range(incidents):
        number = declare_incident(ctx, DeclareRequest(title=f"Internal title {n}", declared_by="U0BENCH01")).number
        components = {COMPONENTS[n % 4]: OUTAGES[n % 3]}
        body = f"We are investigating problems with {COMPONENTS[n % 4]} (#{n})."
        draft_public_update(
            ctx,
            number=number,
            by="U0BENCH01",
            status=PublicStatus.INVESTIGATING,
            body=body,
            components=components,
            title=f"Problems with {COMPONENTS[n % 4]} ({n})",
            publish=True,
        )
        if n == incidents - 1:
            break  # the last one stays open: the page shows an active incident
        clock.now += min(step / 2, timedelta(minutes=50))
        resolved = {COMPONENTS[n % 4]: ComponentStatus.OPERATIONAL}
        draft_public_update(
            ctx,
            number=number,
            by="U0BENCH01",
            status=PublicStatus.RESOLVED,
            body="This is resolved.",
            components=resolved,
            publish=True,
        )
        clock.now = start + step * (n + 1)
    engine.dispose()


@contextlib.contextmanager
def server(mode: str, target: str) -> Iterator[str]:
    """A uvicorn child process serving the page (`page`, from the database) or a static copy (`static`)."""
    port = free_port()
    args = [sys.executable, "-c", SERVER, mode, target, str(port), json.dumps(POLICY)]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/status", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                _, error = process.communicate(timeout=10)
                raise RuntimeError(f"{mode} server did not start: {error.decode()[-2000:]}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(10)


async def readers(base: str, concurrency: int, seconds: float, every: float = 1.0) -> list[float]:
    """`concurrency` readers, each loading GET /status every `every` seconds (staggered) for `seconds`, as people
    keeping the page open during an outage do; each latency in seconds. Open loop: a slow answer does not slow the
    readers down, so queueing shows in the figures instead of hiding in a lower request rate."""
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency)
    loop = asyncio.get_running_loop()
    began = loop.time()
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def read(at: float) -> None:
            await asyncio.sleep(max(0.0, at - loop.time()))
            started = time.perf_counter()
            response = await client.get("/status")
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 200 and len(response.content) > 1000

        due = [
            began + every * (reader / concurrency) + every * tick
            for tick in range(int(seconds / every))
            for reader in range(concurrency)
        ]
        await asyncio.gather(*(read(at) for at in due))
    return latencies


def run(db_kind: str, *, quick: bool) -> dict[str, Any]:
    """Seed, serve both, read both in alternating rounds."""
    incidents, seconds, rounds, concurrency = (100, 3.0, 2, 50) if quick else (1000, 20.0, 3, 50)
    with database(db_kind) as url, tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        seed(url, incidents)
        seeded = time.perf_counter() - began
        with server("page", url) as page:
            html = httpx.get(f"{page}/status", timeout=10).content
            (Path(folder) / "index.html").write_bytes(html)
            with server("static", folder) as static:
                ours: list[float] = []
                floor: list[float] = []
                asyncio.run(readers(page, concurrency, 2.0))  # warm both up
                asyncio.run(readers(static, concurrency, 2.0))
                for _ in range(rounds):
                    ours += asyncio.run(readers(page, concurrency, seconds))
                    floor += asyncio.run(readers(static, concurrency, seconds))
    p99, floor_p99 = percentile(ours, 99), percentile(floor, 99)
    return {
        "db": db_kind,
        "incidents": incidents,
        "seed_s": round(seeded, 1),
        "page_kb": round(len(html) / 1024, 1),
        "concurrency": concurrency,
        "requests": len(ours),
        "p50_ms": round(percentile(ours, 50) * 1000, 2),
        "p99_ms": round(p99 * 1000, 2),
        "floor_p50_ms": round(percentile(floor, 50) * 1000, 2),
        "floor_p99_ms": round(floor_p99 * 1000, 2),
        "p99_vs_floor": round(p99 / floor_p99, 2),
        "met": p99 < 0.020 and p99 / floor_p99 <= 3,
    }


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print(json.dumps(run(args.db, quick=args.quick), indent=2))


if __name__ == "__main__":
    main()
