"""Template detector (rules 3.2, 4.6): signing and clustering throughput at growing sizes, the
whole batch build on a SQLite store, and the online match of one new complaint.

    .venv/bin/python -m bench.templates --sizes 100000,1000000

Texts are the sample institution's complaints and letters (seed 7), in time order. The store
part loads them straight into the complaints table of a fresh store (the importer's speed
is measured elsewhere), builds the clusters with `build_template_clusters`, then matches
`--queries` complaint texts one at a time with `match_one` and reports percentiles.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import resource
import sqlite3
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path

from sqlalchemy import func, select

from bench.import_throughput import OUT, RESULTS, sample_dir
from qinglang.detect import template_store, templates
from qinglang.ingest.values import clean_datetime
from qinglang.rules.schema import default_ruleset
from qinglang.store.db import create_store_engine, migrate
from qinglang.store.tables_templates import (complaint_rare_markers, complaint_templates,
                                             complaint_text_buckets)
from qinglang.text.shingles import band_keys, sign

ORG = "bench"


def sample_complaints(customers: int, samples: Path | None) -> list[dict]:
    folder = samples / f"sample-{customers}-7" if samples else sample_dir(customers, 7)
    with (folder / "complaints.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    rows += list(csv.DictReader(io.StringIO((folder / "letters_gbk.csv").read_bytes()
                                             .decode("gb18030"))))
    for row in rows:
        row["received_at"] = clean_datetime(row["received_at"])
    return sorted(rows, key=lambda r: (r["received_at"], r["complaint_id"]))


def in_memory(texts: list[str], params: templates.Params) -> dict:
    started, cpu = time.perf_counter(), time.process_time()
    signatures = sign(texts, params.min_shared)
    signed, signed_cpu = time.perf_counter(), time.process_time()
    keys = band_keys(signatures)
    clusters = templates.cluster_signatures(signatures, keys, params)
    done, done_cpu = time.perf_counter(), time.process_time()
    return {"texts": len(texts), "sign_s": round(signed - started, 2),
            "sign_cpu_s": round(signed_cpu - cpu, 2),
            "sign_docs_per_cpu_s": round(len(texts) / (signed_cpu - cpu)),
            "cluster_s": round(done - signed, 2), "cluster_cpu_s": round(done_cpu - signed_cpu, 2),
            "clustered": int((clusters.root >= 0).sum())}


def load_store(rows: list[dict]) -> str:
    """A fresh SQLite store holding the complaints, written directly (not timed)."""
    path = OUT / f"templates-{len(rows)}.db"
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    migrate(create_store_engine(url))
    now = datetime.now().isoformat(" ")
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO imports (id, org, kind, sha256, file_name, file_format, status,"
                   " rows_done, rows_ok, rows_rejected, started_at) VALUES"
                   " (1, ?, 'complaints', 'bench', 'bench', 'csv', 'done', 0, 0, 0, ?)", (ORG, now))
        db.executemany(
            "INSERT INTO complaints (org, complaint_id, customer_id, received_at, channel, text,"
            " attrs, originals, import_id, source_row, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, '{}', '{}', 1, ?, ?)",
            ((ORG, r["complaint_id"], r["customer_id"] or None,
              r["received_at"].isoformat(" ", "microseconds"), r["channel"], r["text"], k, now)
             for k, r in enumerate(rows)))
    return url


def on_store(rows: list[dict], queries: int) -> dict:
    """The store part in a fresh process, as the batch builds the clusters in its second
    process: this one holds every CSV row as a dict (gigabytes), and next to them the 1M
    build took 20-21 CPU-s instead of 15-16, the difference all system time."""
    url = load_store(rows)
    picked = random.Random(1).sample(rows, queries)
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(_build_and_match, url, len(rows), picked).result()


def _build_and_match(url: str, complaints: int, picked: list[dict]) -> dict:
    engine = create_store_engine(url)
    started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    clustered = template_store.build_template_clusters(engine, ORG)
    built, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF)
    user, system = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
    with engine.connect() as conn:
        buckets = conn.execute(select(func.count()).select_from(complaint_text_buckets)).scalar()
        members = conn.execute(select(func.count()).select_from(complaint_templates)).scalar()
        markers = conn.execute(select(func.count()).select_from(complaint_rare_markers)).scalar()
        times, joined = [], 0
        for row in picked:
            began = time.perf_counter()
            found = template_store.match_one(conn, ORG, row["text"], row["customer_id"],
                                        row["received_at"])
            times.append((time.perf_counter() - began) * 1000)
            joined += found.template_id is not None
    times.sort()
    return {"complaints": complaints, "build_s": round(built, 2),
            "build_cpu_s": round(user + system, 2), "build_user_s": round(user, 2),
            "build_system_s": round(system, 2), "clustered": clustered,
            "bucket_rows": buckets, "rare_marker_rows": markers, "template_rows": members,
            "match_one_ms": {"p50": round(times[len(times) // 2], 2),
                             "p95": round(times[int(len(times) * 0.95)], 2),
                             "max": round(times[-1], 2)},
            "queries": len(picked), "queries_matching_a_template": joined}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--min-shared", type=int,
                        help="the 3.2 length floor instead of the shipped one (in memory only)")
    parser.add_argument("--samples", type=Path,
                        help="a folder holding sample-N-7 institutions to read instead of bench/out")
    args = parser.parse_args()
    params = template_store.params_of(default_ruleset())
    if args.min_shared is not None:
        params = replace(params, min_shared=args.min_shared)
    results = {}
    for customers in (int(s) for s in args.sizes.split(",")):
        rows = sample_complaints(customers, args.samples)
        figures = {"in_memory": in_memory([r["text"] for r in rows], params)}
        if args.min_shared is None:
            figures["sqlite"] = on_store(rows, args.queries)
        print(customers, json.dumps(figures, ensure_ascii=False))
        results[str(customers)] = figures
    name = "templates" if args.min_shared is None else f"templates-min{args.min_shared}"
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
