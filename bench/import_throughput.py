"""Import throughput and peak memory: the sample institution's exports into a fresh store, on
SQLite and — when a server is given — PostgreSQL.

    make bench                                   # 1,000,000 customers, SQLite (+ PostgreSQL)
    .venv/bin/python -m bench.import_throughput --customers 100000 --backends sqlite

PostgreSQL runs when QINGLANG_TEST_PG_URL names a server (scripts/pg-test-server starts one).
All the files are imported by one `qinglang import` command, as an institution would load its
folder: its wall and CPU time (the importer and its worker processes, user + system) give the
overall figures, the store's own record of each file's import (started, finished) the per-file
ones. Memory is sampled from /proc while it runs, the importer and its workers summed (RSS,
and PSS, which counts the pages forked workers share with the importer once).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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


def fresh_url(backend: str, customers: int, store_dir: Path) -> str:
    if backend == "sqlite":
        path = store_dir / f"bench-{customers}.db"
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


def per_file(url: str) -> list[dict]:
    """Rows each file's import read (imported + rejected) and how long it took, as the store
    recorded them."""
    engine = create_store_engine(url)
    with engine.connect() as conn:
        read = imports.c.rows_ok + imports.c.rows_rejected
        found = conn.execute(select(imports.c.file_name, read, imports.c.started_at,
                                    imports.c.finished_at).order_by(imports.c.id)).all()
    engine.dispose()
    runs = []
    for name, rows, started, finished in found:
        seconds = (finished - started).total_seconds()
        runs.append({"file": name, "rows": rows, "seconds": round(seconds, 2),
                     "rows_per_s": round(rows / seconds)})
    return runs


def timed_import(url: str, paths: list[Path], store_dir: Path) -> dict:
    env = {**os.environ, "QINGLANG_DB_URL": url, "QINGLANG_HOME": str(store_dir / "home"),
           "QINGLANG_SECRET_KEY": "22" * 32}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "qinglang.cli", "import", *map(str, paths)],
                               env=env, stdout=subprocess.DEVNULL)
    peak_rss_kb = peak_pss_kb = 0
    while process.poll() is None:
        rss, pss = _tree_memory_kb(process.pid)
        peak_rss_kb, peak_pss_kb = max(peak_rss_kb, rss), max(peak_pss_kb, pss)
        time.sleep(0.2)
    seconds = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise SystemExit(f"import failed ({process.returncode})")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
            "peak_rss_mb": round(peak_rss_kb / 1024), "peak_pss_mb": round(peak_pss_kb / 1024),
            # the machine is shared: the 1-minute load average when the import began and ended
            "load": [round(load_before, 2), round(os.getloadavg()[0], 2)]}


def _tree_memory_kb(root: int) -> tuple[int, int]:
    """Resident memory (RSS) and proportional set size (PSS) of a process and its direct
    children (the import's workers), summed. Forked workers share their parent's pages, which
    RSS counts once per process and PSS divides among them."""
    rss = pss = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines())
            if int(fields["Pid"]) != root and int(fields["PPid"]) != root:
                continue
            rss += int(fields.get("VmRSS", "0 kB").split()[0])
            rollup = (status.parent / "smaps_rollup").read_text().splitlines()
        except (OSError, ValueError, KeyError):
            continue
        pss += next((int(line.split()[1]) for line in rollup if line.startswith("Pss:")), 0)
    return rss, pss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--files", default=ALL_FILES,
                        help="comma-separated export files to import (customers first)")
    parser.add_argument("--store-dir", type=Path, default=OUT,
                        help="where the SQLite store and the rejects files go")
    args = parser.parse_args()
    folder = sample_dir(args.customers, args.seed)
    paths = [folder / name for name in args.files.split(",")]
    results = []
    for backend in args.backends.split(","):
        if backend == "postgres" and not os.environ.get("QINGLANG_TEST_PG_URL"):
            print("postgres: skipped (QINGLANG_TEST_PG_URL not set)")
            continue
        url = fresh_url(backend, args.customers, args.store_dir)
        whole = timed_import(url, paths, args.store_dir)
        for run in per_file(url):
            results.append({"backend": backend, **run})
            print(json.dumps(results[-1]))
        rows = sum(r["rows"] for r in results if r["backend"] == backend)
        results.append({"backend": backend, "file": "(all, one command)", "rows": rows, **whole,
                        "rows_per_s": round(rows / whole["seconds"]),
                        "rows_per_cpu_s": round(rows / whole["cpu_seconds"]),
                        "cpu_us_per_row": round(whole["cpu_seconds"] / rows * 1e6, 1)})
        print(json.dumps(results[-1]))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"import-{args.customers}-{args.backends.replace(',', '-')}.json"
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"→ {out}")


if __name__ == "__main__":
    main()
