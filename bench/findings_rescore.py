"""`qinglang finding add … --rescore`: how long adding a finding and re-scoring its complaint
through the online path takes, on an imported and analysed store.

    qinglang sample --customers 5000 --seed 31 --out /tmp/s5k
    QINGLANG_HOME=/tmp/h5k qinglang import /tmp/s5k && QINGLANG_HOME=/tmp/h5k qinglang analyze
    .venv/bin/python -m bench.findings_rescore --store /tmp/h5k/qinglang.db --n 200

Works on a copy of the store (findings are append-only: the original stays untouched).
Writes bench/results/findings_rescore.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(store: Path, n: int) -> dict:
    from sqlalchemy import func, select

    from qinglang.services.findings import add_finding, rescore
    from qinglang.store.db import create_store_engine, migrate
    from qinglang.store.tables import record_tables

    with tempfile.TemporaryDirectory(prefix="bench-findings-") as work:
        copy = Path(work) / "store.db"
        shutil.copy(store, copy)
        engine = create_store_engine(f"sqlite:///{copy}")
        migrate(engine)
        org = os.environ.get("QINGLANG_ORG", "default")
        complaints = record_tables["complaints"]
        with engine.connect() as conn:
            ids = list(conn.execute(select(complaints.c.complaint_id)
                                    .where(complaints.c.org == org)).scalars())
            total = conn.execute(select(func.count()).select_from(complaints)).scalar()
        chosen = random.Random(1).sample(ids, min(n, len(ids)))
        walls, cpus = [], []
        for complaint_id in chosen:
            wall, cpu = time.perf_counter(), time.process_time()
            add_finding(engine, org, "bench", complaint_id, "3.3", "拒绝见面或视频")
            rescore(engine, org, "bench", complaint_id)
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        engine.dispose()
    return {"store_complaints": total, "rescored": len(chosen),
            "wall_ms": {"p50": round(statistics.median(walls), 1),
                        "p95": round(percentile(walls, 0.95), 1)},
            "cpu_ms": {"p50": round(statistics.median(cpus), 1),
                       "p95": round(percentile(cpus, 0.95), 1)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    result = run(args.store, args.n)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "findings_rescore.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
