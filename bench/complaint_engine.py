"""Complaint identification at scale: the batch assessment of every stored complaint, and
online scoring of single complaints against the same store (SQLite).

    .venv/bin/python -m bench.complaint_engine --customers 100000 --customers 1000000

For each size the sample institution is generated and imported once (kept in bench/out/),
then `assess_all` runs over the whole store — every rule the store can decide, written
with its evidence — and 300 complaints of the sample's own export are scored online one
at a time, after what a server does before its first request (`prepare_scoring`) and 50
other complaints scored unmeasured, as `bench/api_latency.py` warms its server. Writes
bench/results/complaint-engine.json (replacing the results of the sizes measured).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import time

import numpy as np
from sqlalchemy import func, select

from qinglang.ingest.sources import open_source
from qinglang.rules.schema import default_ruleset
from qinglang.services.assess import assess_all
from qinglang.services.importing import import_file
from qinglang.services.online import prepare_scoring, score_complaint
from qinglang.settings import Settings
from qinglang.store.db import create_store_engine, migrate
from qinglang.store.tables import record_tables

from bench.import_throughput import OUT, RESULTS, sample_dir

FILES = ("customers.csv", "complaints.csv", "letters_gbk.csv", "calls.csv")
ORG = "bench"
KEY = "22" * 32


def store_for(customers: int, seed: int) -> Settings:
    folder = sample_dir(customers, seed)
    home = OUT / f"engine-{customers}-{seed}"
    settings = Settings(home=home, db_url=f"sqlite:///{home / 'store.db'}", org=ORG,
                        batch_rows=5000, max_field_chars=1_000_000, secret_key_hex=KEY,
                        import_workers=2)
    engine = create_store_engine(settings.db_url)
    migrate(engine)  # a store kept from an earlier version gets the new tables
    if not (home / "imported").exists():
        for name in FILES:
            started = time.monotonic()
            report = import_file(engine, settings, folder / name)
            print(f"  imported {report.rows_ok:,} {name} in {time.monotonic() - started:.0f} s")
        (home / "imported").touch()
    return settings


def online_rows(customers: int, seed: int, count: int) -> list[dict]:
    source = open_source(sample_dir(customers, seed) / "complaints.csv", None, 100_000)
    rows = [row.values for row in source.rows()]
    source.close()
    return random.Random(seed).sample(rows, count)


def measure(customers: int, seed: int, online: int, warmup: int) -> dict:
    settings = store_for(customers, seed)
    engine = create_store_engine(settings.db_url)
    with engine.connect() as conn:
        counts = {kind: conn.execute(select(func.count()).select_from(record_tables[kind]))
                  .scalar() for kind in ("customers", "complaints", "calls")}
    started, cpu = time.monotonic(), _cpu_seconds()
    summary = assess_all(engine, ORG, default_ruleset())
    batch_s, batch_cpu = time.monotonic() - started, _cpu_seconds() - cpu
    latencies = []
    rows = online_rows(customers, seed, online + warmup)
    prepare_scoring()
    for row in rows[online:]:
        score_complaint(engine, settings, row)
    for row in rows[:online]:
        started = time.perf_counter()
        score_complaint(engine, settings, row)
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    result = {
        "customers": customers, **{f"stored_{k}": v for k, v in counts.items()},
        "batch_seconds": round(batch_s, 1),
        "batch_complaints_per_second": round(summary.complaints / batch_s),
        "batch_cpu_seconds": {side: round(v, 1) for side, v in zip(("main", "text_process"),
                                                                   batch_cpu)},
        "rules_fired": summary.rule_counts, "not_evaluated": summary.not_evaluated,
        "online_requests": len(latencies),
        "online_ms_p50": round(statistics.median(latencies), 1),
        "online_ms_p95": round(latencies[int(len(latencies) * 0.95) - 1], 1),
        "online_ms_max": round(latencies[-1], 1),
    }
    print(json.dumps(result, ensure_ascii=False))
    return result


def _cpu_seconds() -> np.ndarray:
    """CPU seconds of this process and of its finished children (the text-rule process)."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                         resource.RUSAGE_CHILDREN))
    return np.array([own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, action="append")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--online", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=50,
                        help="complaints scored first, unmeasured")
    args = parser.parse_args()
    results = [measure(n, args.seed, args.online, args.warmup)
               for n in args.customers or [100_000]]
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "complaint-engine.json"
    measured = {r["customers"] for r in results}
    earlier = json.loads(out.read_text()) if out.exists() else []
    kept = [r for r in earlier if r["customers"] not in measured]  # other sizes stay
    ordered = sorted(kept + results, key=lambda r: r["customers"])
    out.write_text(json.dumps(ordered, indent=2) + "\n")


if __name__ == "__main__":
    main()
