"""Online complaint scoring over HTTP on loopback: latency at a fixed request rate.

    .venv/bin/python -m bench.api_latency --customers 1000000 --rate 100 --seconds 60
    .venv/bin/python -m bench.api_latency --customers 1000000 --endpoint detail
    .venv/bin/python -m bench.api_latency --customers 1000000 --workers 1

`--endpoint detail` reads one complaint with its verdict and evidence
(GET /api/v1/complaints/{id}) instead of scoring one.

The store is the complaint-engine bench's (bench/complaint_engine.py: the sample institution of
that many customers — 1,000,000 customers hold 1,057,751 complaints — imported once into
bench/out/). `qinglang serve --workers N` (one process per core by default) runs it; an
analyst's API token is issued; then complaints of the sample's own export are POSTed to
/api/v1/complaints/score on an open loop: request i is sent at start + i/rate whether or not
earlier ones have come back (by one of 64 sending threads), and its latency is counted from
that scheduled moment, so a slow server cannot hide its queue (no coordinated omission). The
first `--warmup` requests (500: 5 s at 100/s) go out the same way and are not counted. Over the
measured window it also reads from /proc the CPU the server's processes spent a request and how
busy the machine's cores were (all processes), which tells a server short of CPU from one that
waits. Writes bench/results/api_latency.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import func, select

from bench.complaint_engine import KEY, ORG, online_rows, store_for
from bench.import_throughput import RESULTS
from qinglang.services.accounts import add_account, issue_token, list_accounts
from qinglang.store.db import create_store_engine
from qinglang.store.tables import record_tables

ACCOUNT = "bench-analyst"
SENDERS = 64  # threads sending requests: more than a healthy server ever has in flight


def analyst_token(db_url: str) -> str:
    engine = create_store_engine(db_url)
    if ACCOUNT not in {a["username"] for a in list_accounts(engine, ORG)}:
        add_account(engine, ORG, ACCOUNT, "bench-password-not-secret", "analyst")
    secret = issue_token(engine, ORG, ACCOUNT, "api latency bench").secret
    engine.dispose()
    return secret


def stored_complaints(db_url: str) -> int:
    engine = create_store_engine(db_url)
    complaints = record_tables["complaints"]
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(complaints)
                             .where(complaints.c.org == ORG)).scalar()
    engine.dispose()
    return count


def start_server(settings, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "QINGLANG_HOME": str(settings.home), "QINGLANG_DB_URL": settings.db_url,
           "QINGLANG_ORG": ORG, "QINGLANG_SECRET_KEY": KEY}
    server = subprocess.Popen([sys.executable, "-m", "qinglang.cli", "serve", "--port",
                               str(port), "--workers", str(workers)], env=env,
                              stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/openapi.json", timeout=1)
            return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


def server_cpu_seconds(root: int) -> float:
    """CPU seconds (user + system) of a process and its direct children (the server's
    worker processes), from /proc."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if root in (int(stat.parent.name), int(fields[1])):  # the process, or its child
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def machine_busy_and_total() -> tuple[int, int]:
    """(busy, all) clock ticks of every core since boot: /proc/stat's first line."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return sum(ticks) - idle, sum(ticks)


def open_loop(request, clients: list[httpx.Client], bodies: list[dict], rate: float,
              seconds: float) -> tuple[list[float], list[float], dict[int, int]]:
    """(latency from the scheduled send, ms; service time, ms; responses by status).

    Requests go out from a pool of threads, each with its own keep-alive connection: an
    asyncio httpx client added about 40 ms to every request on this machine (at 40 requests/s
    on the detail endpoint: p50 48 ms seen by the client for 7 ms in the server; threads saw
    7 ms). The clients are made before the clock starts: making 64 of them (each builds a TLS
    context) took the sending process over a second of CPU, which had counted as the server's
    lateness in the first seconds. A request that finds every thread busy goes out late, and
    its lateness is counted."""
    total = int(rate * seconds)
    latencies: list[float] = []
    service: list[float] = []
    statuses: Counter[int] = Counter()
    counting = threading.Lock()
    local = threading.local()
    handed_out = itertools.count()  # each sending thread takes a client of its own
    start = time.perf_counter() + 0.5

    def send(i: int) -> None:
        if not hasattr(local, "client"):
            local.client = clients[next(handed_out)]
        scheduled = start + i / rate
        time.sleep(max(0.0, scheduled - time.perf_counter()))
        sent = time.perf_counter()
        try:
            status = request(local.client, bodies[i % len(bodies)]).status_code
        except httpx.TransportError:
            status = 0
        done = time.perf_counter()
        with counting:
            statuses[status] += 1
        latencies.append((done - scheduled) * 1000)
        service.append((done - sent) * 1000)

    with ThreadPoolExecutor(SENDERS) as pool:
        list(pool.map(send, range(total)))
    return latencies, service, statuses


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))], 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=int, default=500,
                        help="requests sent first at the same rate, unmeasured (a server's "
                             "threads, connections and caches fill as load rises)")
    parser.add_argument("--endpoint", choices=("score", "detail"), default="score")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="server processes (qinglang serve --workers)")
    args = parser.parse_args()

    settings = store_for(args.customers, args.seed)
    token = analyst_token(settings.db_url)
    bodies = online_rows(args.customers, args.seed, 2000)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = start_server(settings, port, args.workers)
    base = f"http://127.0.0.1:{port}/api/v1/complaints"
    clients = [httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=60)
               for _ in range(SENDERS)]
    if args.endpoint == "score":
        def request(client, body):
            return client.post(f"{base}/score", json=body)
    else:
        def request(client, body):
            return client.get(f"{base}/{body['complaint_id']}")
    try:
        open_loop(request, clients, bodies[-args.warmup:], args.rate, args.warmup / args.rate)
        cpu_before, machine_before = server_cpu_seconds(server.pid), machine_busy_and_total()
        latencies, service, statuses = open_loop(request, clients, bodies, args.rate,
                                                 args.seconds)
        server_cpu = server_cpu_seconds(server.pid) - cpu_before
        busy, ticks = (after - before for after, before in zip(machine_busy_and_total(),
                                                                 machine_before))
    finally:
        server.terminate()
        server.wait(30)
        for client in clients:
            client.close()
    result = {
        "customers": args.customers, "stored_complaints": stored_complaints(settings.db_url),
        "endpoint": args.endpoint, "backend": "sqlite", "workers": args.workers,
        "rate_per_second": args.rate,
        "seconds": args.seconds, "requests": len(latencies),
        "statuses": {str(k): v for k, v in statuses.items()},
        "latency_ms_p50": percentile(latencies, 0.50),
        "latency_ms_p90": percentile(latencies, 0.90),
        "latency_ms_p99": percentile(latencies, 0.99), "latency_ms_max": round(max(latencies), 1),
        "service_ms_p50": percentile(service, 0.50), "service_ms_p99": percentile(service, 0.99),
        "server_cpu_ms_per_request": round(server_cpu * 1000 / len(latencies), 1),
        "machine_busy_share": round(busy / ticks, 2),
        "machine": f"{os.cpu_count()} cores, {platform.python_implementation()} "
                   f"{platform.python_version()}, shared with other work while measured",
    }
    print(json.dumps(result, ensure_ascii=False))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "api_latency.json"
    runs = json.loads(out.read_text()) if out.exists() else []
    key = (args.customers, args.endpoint, args.rate, args.workers)
    runs = [r for r in runs if (r["customers"], r["endpoint"], r["rate_per_second"],
                                r.get("workers", 1)) != key]
    out.write_text(json.dumps(runs + [result], indent=2) + "\n")


if __name__ == "__main__":
    main()
