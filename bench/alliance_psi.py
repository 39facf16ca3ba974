"""Alliance matching throughput: member items through blinding, the hub's evaluation,
unblinding and the local lookup, against the raw ristretto255 scalar-multiplication rate
measured in the same run (the physical bound of the design: three multiplications an item).

    .venv/bin/python -m bench.alliance_psi --members 100000 --pool 1000000
    .venv/bin/python -m bench.alliance_psi --members 20000 --pool 100000 \\
        --openmined-python /tmp/psivenv/bin/python     # also time openmined-psi 2.0.6

The hub runs as its own process (`qinglang alliance serve`, uvicorn) with N worker processes;
the member uses N worker processes too (N = --workers, default the number of cores). The pool
is seeded straight into the hub's store (the points k·H1(y) a contribution would leave there).
Writes bench/results/alliance_psi.json.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
import pysodium

from qinglang.alliance import member, oprf
from qinglang.alliance.client import HubClient
from qinglang.alliance.hub import Hub
from qinglang.alliance.hub_store import categories, members, open_hub_store, pool

RESULTS = Path(__file__).parent / "results"
ADMIN = "bench-admin-token"
MULTS_PER_ITEM = 3  # blind (member), evaluate (hub), unblind (member)


def raw_scalarmult_rate(count: int = 20_000) -> float:
    """crypto_scalarmult_ristretto255 in a tight loop with fixed buffers: calls per second."""
    scalar, point = oprf.new_key(), oprf.hash_to_points(["bench"])
    out = ctypes.create_string_buffer(oprf.POINT)
    multiply = pysodium.sodium.crypto_scalarmult_ristretto255
    started = time.perf_counter()
    for _ in range(count):
        multiply(out, scalar, point)
    return count / (time.perf_counter() - started)


def parallel_raw_rate(executor, workers: int, count: int = 20_000) -> float:
    """All workers multiplying at once: the machine's aggregate rate right now."""
    started = time.perf_counter()
    list(executor.map(raw_scalarmult_rate, [count] * workers))
    return count * workers / (time.perf_counter() - started)


def hash_to_curve_rate(count: int = 20_000) -> float:
    items = [f"phone:+86138{i:08d}" for i in range(count)]
    started = time.perf_counter()
    oprf.hash_to_points(items)
    return count / (time.perf_counter() - started)


def phone(i: int) -> str:
    return f"phone:+86139{i:08d}"


def seed_pool(home: Path, size: int, in_pool: int, executor, workers: int) -> dict:
    """`size` pool points from 5 institutions, as contributions would leave them: the first
    `in_pool` are the real OPRF points k·H1(y) of member items, the rest distinct points of a
    chain P + G + G + … (one point addition each: they only have to be other valid points)."""
    engine = open_hub_store(f"sqlite:///{home / 'hub.db'}")
    hub = Hub(engine, home, ADMIN, {"k": 2, "default_quota": 10**9}, executor, workers)
    started = time.perf_counter()
    today, expiry = date.today(), datetime.now() + timedelta(days=365)
    with engine.begin() as conn:
        conn.execute(categories.insert().values(name="agent_rights"))
        ids = [conn.execute(members.insert().values(
            name=f"seed-{n}", token_sha256=f"{n:064x}", quota=None, active=True,
            registered_at=datetime.now())).inserted_primary_key[0] for n in range(5)]
    real = oprf.map_points(executor, workers, hub.key.scalar,
                           _h1(executor, workers, [phone(i) for i in range(in_pool)]))
    points = oprf.split_points(real) + list(_other_points(size - in_pool))
    for start in range(0, size, 100_000):
        rows = [{"point": p, "member_id": ids[(start + i) % 5], "category": "agent_rights",
                 "confidence": 0.8, "first_seen": today, "last_seen": today,
                 "expires_at": expiry, "contributed_at": datetime.now()}
                for i, p in enumerate(points[start:start + 100_000])]
        with engine.begin() as conn:
            conn.execute(pool.insert(), rows)
    engine.dispose()
    return {"items": size, "seed_s": round(time.perf_counter() - started, 1)}


def _h1(executor, workers, items):
    """H1 points in parallel: blinding with the scalar 1 is hashing alone."""
    one = (1).to_bytes(32, "little")
    return oprf.blind_items(executor, workers, one, items)


def _other_points(count: int):
    step = oprf.hash_to_points(["bench-step"])
    point = ctypes.create_string_buffer(oprf.hash_to_points(["bench-start"]), oprf.POINT)
    add = pysodium.sodium.crypto_core_ristretto255_add
    for _ in range(count):
        add(point, point.raw, step)
        yield point.raw


def start_hub(home: Path, workers: int) -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "QINGLANG_ALLIANCE_ADMIN_TOKEN": ADMIN}
    process = subprocess.Popen(
        [sys.executable, "-m", "qinglang.cli", "alliance", "serve", "--home", str(home),
         "--port", str(port), "--workers", str(workers), "--log-file", str(home / "hub.log")],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            httpx.get(f"{url}/v1/policy", timeout=1)
            return process, url
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the hub did not start")


class TimedClient(HubClient):
    """Counts the seconds spent waiting for the hub's evaluations (HTTP included)."""

    hub_seconds = 0.0

    def evaluate(self, blinded: bytes):
        started = time.perf_counter()
        try:
            return super().evaluate(blinded)
        finally:
            self.hub_seconds += time.perf_counter() - started


def run_match(url: str, token: str, cache: Path, items: list[str], executor,
              workers: int) -> dict:
    with TimedClient(url, token) as client:
        started = time.perf_counter()
        bundle = member.sync(client, cache)  # the hub builds its bundle once per pool version
        sync_s = time.perf_counter() - started
        bundle_bytes = cache.stat().st_size
        sent_before, received_before = client.traffic.sent, client.traffic.received
        started = time.perf_counter()
        found = member.match(client, items, cache, member.Workers(executor, workers))
        match_s = time.perf_counter() - started
        return {
            "pool_entries": len(bundle), "bundle_bytes": bundle_bytes,
            "bundle_bytes_per_pool_item": round(bundle_bytes / max(len(bundle), 1), 2),
            "sync_s": round(sync_s, 2), "matched": len(found),
            "match_s": round(match_s, 2), "hub_wait_s": round(client.hub_seconds, 2),
            "member_to_hub_bytes": client.traffic.sent - sent_before,
            "hub_to_member_bytes": client.traffic.received - received_before,
        }


OPENMINED = r"""
import json, sys, time
import private_set_intersection.python as psi
n_client, n_server = int(sys.argv[1]), int(sys.argv[2])
client_items = [f"phone:+86138{i:08d}" for i in range(n_client)]
server_items = [f"phone:+86138{i:08d}" for i in range(0, 2 * n_server, 2)]
c, s = psi.client.CreateWithNewKey(True), psi.server.CreateWithNewKey(True)
t = time.perf_counter(); setup = s.CreateSetupMessage(1e-9, n_client, server_items, psi.DataStructure.GCS); setup_s = time.perf_counter() - t
t = time.perf_counter(); request = c.CreateRequest(client_items); response = s.ProcessRequest(request); c.GetIntersection(setup, response); match_s = time.perf_counter() - t
print(json.dumps({"client_items": n_client, "server_items": n_server, "setup_s": round(setup_s, 2),
  "setup_bytes_per_server_item": round(len(setup.SerializeToString()) / n_server, 2),
  "match_s": round(match_s, 2), "us_per_client_item": round(match_s / n_client * 1e6, 1),
  "request_bytes_per_item": round(len(request.SerializeToString()) / n_client, 1),
  "response_bytes_per_item": round(len(response.SerializeToString()) / n_client, 1)}))
"""


def openmined(python: str, n_client: int, n_server: int) -> dict:
    done = subprocess.run([python, "-c", OPENMINED, str(n_client), str(n_server)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--pool", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--overlap", type=float, default=0.1, help="share of member items "
                                                                   "in the pool")
    parser.add_argument("--openmined-python", help="an interpreter with openmined-psi")
    args = parser.parse_args()
    result: dict = {"machine": f"{os.cpu_count()} cores, Python {platform.python_version()}, "
                               "libsodium 1.0.18 through pysodium 0.7.19",
                    "load_average_start": os.getloadavg()[0], "workers_per_side": args.workers}
    with tempfile.TemporaryDirectory() as tmp, oprf.worker_pool(args.workers) as executor:
        home = Path(tmp) / "hub"
        home.mkdir()
        in_pool = int(args.members * args.overlap)
        result["pool"] = seed_pool(home, args.pool, in_pool, executor, args.workers)
        hub, url = start_hub(home, args.workers)
        try:
            with HubClient(url, ADMIN) as admin:
                token = admin.register("bench-member", None)
            items = ([phone(i) for i in range(in_pool)]
                     + [f"phone:+86137{i:08d}" for i in range(args.members - in_pool)])
            result["first_sync"] = run_match(url, token, Path(tmp) / "pool.bin", items[:2000],
                                             executor, args.workers)  # warm-up
            result["hash_to_curve_per_s"] = round(hash_to_curve_rate())
            rate_before = raw_scalarmult_rate()
            parallel_before = parallel_raw_rate(executor, args.workers)
            result["match"] = run_match(url, token, Path(tmp) / "pool.bin", items, executor,
                                        args.workers)
            assert result["match"]["matched"] == in_pool, "every pool item must be found"
            rate_after = raw_scalarmult_rate()
            parallel_after = parallel_raw_rate(executor, args.workers)
        finally:
            hub.terminate()
            hub.wait()
    if args.openmined_python:
        result["openmined_psi"] = openmined(args.openmined_python, min(args.members, 20_000),
                                            min(args.pool, 200_000))
    result["load_average_end"] = os.getloadavg()[0]
    single = (rate_before + rate_after) / 2
    aggregate = (parallel_before + parallel_after) / 2
    match = result["match"]
    bound_s = MULTS_PER_ITEM * args.members / aggregate
    result["raw_scalarmult"] = {
        "per_s_one_core": round(single), "per_s_all_workers": round(aggregate),
        "before_after_one_core": [round(rate_before), round(rate_after)],
        "before_after_all_workers": [round(parallel_before), round(parallel_after)],
    }
    result["bound"] = {"multiplications_per_item": MULTS_PER_ITEM, "bound_s": round(bound_s, 2),
                       "measured_s": match["match_s"],
                       "ratio": round(match["match_s"] / bound_s, 2)}
    result["member_items_per_s"] = round(args.members / match["match_s"])
    scale_members, scale_pool = 1_000_000 / args.members, 10_000_000 / args.pool
    result["extrapolated_1M_members_vs_10M_pool"] = {
        "match_s": round(match["match_s"] * scale_members),
        "bundle_bytes": int(result["first_sync"]["bundle_bytes"] * scale_pool),
        "member_to_hub_bytes": int(match["member_to_hub_bytes"] * scale_members),
        "hub_to_member_bytes": int(match["hub_to_member_bytes"] * scale_members),
        "note": "matching is linear in member items; the pool only sets the bundle size "
                "(16 bytes an entry) and one binary search per item",
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "alliance_psi.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
