"""Import throughput and peak memory: the sample institution's customers (and every other
export) into a fresh store, on SQLite and — when a server is given — PostgreSQL.

    make bench                                   # 1,000,000 customers, SQLite (+ PostgreSQL)
    .venv/bin/python -m bench.import_throughput --customers 100000 --backends sqlite

PostgreSQL runs when QINGLANG_TEST_PG_URL names a server (scripts/pg-test-server starts one).
Each import runs in its own process; its memory is sampled from /proc while it runs, the
importer and its worker processes summed, and the peak of that sum is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select, text

from qinglang.sample import generate
from qinglang.store.db import create_store_engine
from qinglang.store.tables import imports

OUT = Path(__file__).parent / "out"
RESULTS = Path(__file__).parent / "results"
ALL_FILES = ("customers.csv,complaints.csv,letters_gbk.csv,calls.csv,posts.jsonl,companies.csv,"
             "intelligence.csv")


def sample_dir(customers: int, seed: int) -> Path:
    folder = OUT / f"sample-{customers}-{seed}"
    if not (folder / "customers.csv").exists():
        started = time.monotonic()
        generate(folder, customers=customers, seed=seed)
        print(f"generated {customers:,} customers in {time.monotonic() - started:.1f} s")
    return folder


def fresh_url(backend: str, customers: int) -> str:
    if backend == "sqlite":
        path = OUT / f"bench-{customers}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    url = os.environ.get("QINGLANG_TEST_PG_URL")
    if not url:
        raise SystemExit("PostgreSQL: set QINGLANG_TEST_PG_URL (eval $(scripts/pg-test-server))")
    engine = create_store_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


def rows_read(url: str, file_name: str) -> int:
    """Rows the import read (imported + rejected), as the store recorded them."""
    engine = create_store_engine(url)
    with engine.connect() as conn:
        done = conn.execute(select(imports.c.rows_ok + imports.c.rows_rejected)
                            .where(imports.c.file_name == file_name)
                            .order_by(imports.c.id.desc()).limit(1)).scalar_one()
    engine.dispose()
    return done


def timed_import(url: str, path: Path) -> dict:
    env = {**os.environ, "QINGLANG_DB_URL": url, "QINGLANG_HOME": str(OUT / "home"),
           "QINGLANG_SECRET_KEY": "22" * 32}
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "qinglang.cli", "import", str(path)],
                               env=env, stdout=subprocess.DEVNULL)
    peak_kb = 0
    while process.poll() is None:
        peak_kb = max(peak_kb, _tree_rss_kb(process.pid))
        time.sleep(0.2)
    seconds = time.monotonic() - started
    if process.returncode != 0:
        raise SystemExit(f"import of {path.name} failed ({process.returncode})")
    rows = rows_read(url, path.name)
    return {"file": path.name, "rows": rows, "seconds": round(seconds, 2),
            "rows_per_s": round(rows / seconds), "peak_rss_mb": round(peak_kb / 1024)}


def _tree_rss_kb(root: int) -> int:
    """Resident memory of a process and its direct children (the import's workers)."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines())
        except (OSError, ValueError):
            continue
        if int(fields["Pid"]) == root or int(fields["PPid"]) == root:
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total


def _total(backend: str, runs: list[dict]) -> dict:
    rows, seconds = sum(r["rows"] for r in runs), sum(r["seconds"] for r in runs)
    return {"backend": backend, "file": "(all)", "rows": rows, "seconds": round(seconds, 2),
            "rows_per_s": round(rows / seconds), "peak_rss_mb": max(r["peak_rss_mb"] for r in runs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--files", default=ALL_FILES,
                        help="comma-separated export files to import, in order")
    args = parser.parse_args()
    folder = sample_dir(args.customers, args.seed)
    results = []
    for backend in args.backends.split(","):
        if backend == "postgres" and not os.environ.get("QINGLANG_TEST_PG_URL"):
            print("postgres: skipped (QINGLANG_TEST_PG_URL not set)")
            continue
        url = fresh_url(backend, args.customers)
        for name in args.files.split(","):
            result = {"backend": backend, **timed_import(url, folder / name)}
            print(json.dumps(result))
            results.append(result)
        results.append(_total(backend, [r for r in results if r["backend"] == backend]))
        print(json.dumps(results[-1]))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"import-{args.customers}.json"
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"→ {out}")


if __name__ == "__main__":
    main()
