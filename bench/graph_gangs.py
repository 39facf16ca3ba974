"""Entity graph and gangs: graph build from the store plus gangs, timed, with peak memory,
on stores of several sizes; an import of 1 % more records, updated incrementally and rebuilt
in full; and connected components measured with scipy, igraph and networkit (when installed)
on a graph of the full graph's size.

    qinglang sample --customers 1000000 --seed 11 --out /tmp/s1m
    QINGLANG_HOME=/tmp/h1m qinglang import /tmp/s1m
    .venv/bin/python -m bench.graph_gangs --store /tmp/h100k/qinglang.db --store /tmp/h1m/qinglang.db \
        --incremental /tmp/h1m-copy/qinglang.db

Each store is measured in its own process (peak memory is that process's), twice: the first
run finds the gangs, the second rebuilds them over stored gangs (ids kept by overlap).
`--incremental` takes a store it may write (a copy): 1 % of its customers, with their
complaints and calls, are taken out and the gangs rebuilt; they are then put back as a new
import, and the gangs updated incrementally, then rebuilt in full, and the two compared.
Writes bench/results/graph_gangs.json.
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

import numpy as np

RESULTS = Path(__file__).parent / "results"
# the whole entity graph of the 1,000,000-customer sample (seed 11), leaves included
FULL_GRAPH_1M = (4_450_011, 3_551_202)


def measure_store(db: str) -> dict:
    from sqlalchemy import func, select

    from qinglang.graph.build import stored_table
    from qinglang.graph.schema import default_declarations
    from qinglang.store.db import create_store_engine, migrate
    from qinglang.store.tables import record_tables

    engine = create_store_engine(f"sqlite:///{db}" if "://" not in db else db)
    migrate(engine)
    org = os.environ.get("QINGLANG_ORG", "default")
    runs = []
    for _ in range(2):
        summary, run = timed_refresh(engine, org, full=True)
        runs.append(run)
    with engine.connect() as conn:
        customers = conn.execute(select(func.count()).select_from(record_tables["customers"])).scalar()
        edge_rows = 0
        for source in default_declarations().sources:
            table = stored_table(engine, source.table)
            for edge in (source.edges if table is not None else ()):
                edge_rows += conn.execute(select(func.count()).where(
                    table.c[edge.column].is_not(None))).scalar()
    return {"store": db, "customers": customers, "declared_edge_rows": edge_rows,
            "shared_graph": {"nodes": summary.nodes, "edges": summary.edges, "hubs": summary.hubs},
            "gangs": summary.gangs, "customers_in_gangs": summary.customers,
            "leiden_components": summary.split_components, "kinds": summary.kinds, "runs": runs,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def timed_refresh(engine, org: str, full: bool):
    from qinglang.services.gangs import refresh_gangs

    wall, cpu = time.perf_counter(), time.process_time()
    summary = refresh_gangs(engine, org, full=full)
    return summary, {"mode": summary.mode, "wall_s": round(time.perf_counter() - wall, 2),
                     "cpu_s": round(time.process_time() - cpu, 2),
                     "phases_wall_s": {k: round(v, 2) for k, v in summary.seconds.items()},
                     "graph_read": {"nodes": summary.nodes, "edges": summary.edges}}


def measure_incremental(db: str, every: int = 100) -> dict:
    """Every `every`-th customer, with its complaints and calls, taken out of the store and
    put back as one new import: the incremental update against the full rebuild."""
    from sqlalchemy import delete, insert, select

    from qinglang.services.gangs import list_gangs
    from qinglang.store.db import create_store_engine, migrate
    from qinglang.store.repository import utcnow
    from qinglang.store.tables import imports, record_tables

    engine = create_store_engine(f"sqlite:///{db}" if "://" not in db else db)
    migrate(engine)
    org = os.environ.get("QINGLANG_ORG", "default")
    kinds = ("customers", "complaints", "calls")
    with engine.begin() as conn:
        ids = conn.execute(select(record_tables["customers"].c.customer_id).where(
            record_tables["customers"].c.org == org).order_by(
            record_tables["customers"].c.customer_id)).scalars().all()[::every]
        held = {kind: [] for kind in kinds}
        for i in range(0, len(ids), 900):
            for kind in kinds:
                table = record_tables[kind]
                where = (table.c.org == org, table.c.customer_id.in_(ids[i:i + 900]))
                held[kind] += [dict(r) for r in conn.execute(select(table).where(*where)).mappings()]
                conn.execute(delete(table).where(*where))
    _, before = timed_refresh(engine, org, full=True)
    with engine.begin() as conn:
        now = utcnow()
        import_id = conn.execute(insert(imports).values(
            org=org, kind="customers", sha256=f"bench-{time.time_ns()}", file_name="bench-1pct",
            file_format="csv", status="complete", rows_done=len(held["customers"]),
            rows_ok=len(held["customers"]), rows_rejected=0, started_at=now,
            finished_at=now)).inserted_primary_key[0]
        for kind in kinds:
            for i in range(0, len(held[kind]), 5000):
                conn.execute(insert(record_tables[kind]),
                             [{**r, "import_id": import_id} for r in held[kind][i:i + 5000]])
    summary, incremental = timed_refresh(engine, org, full=False)
    after_incremental = list_gangs(engine, org)
    _, full = timed_refresh(engine, org, full=True)
    same = [dict(g, updated_at=None) for g in after_incremental] == \
        [dict(g, updated_at=None) for g in list_gangs(engine, org)]
    return {"store": db, "records_imported": {k: len(v) for k, v in held.items()},
            "nodes_touched": summary.touched, "gangs": summary.gangs,
            "full_before_import": before, "incremental": incremental, "full": full,
            "incremental_equals_full": same,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def measure_components(n_nodes: int, n_edges: int, seed: int = 1) -> dict:
    """Connected components of a random graph of the given size, by each library."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    rng = np.random.default_rng(seed)
    src, dst = rng.integers(0, n_nodes, n_edges), rng.integers(0, n_nodes, n_edges)
    timings = {}
    start = time.perf_counter()
    connected_components(coo_matrix((np.ones(n_edges, np.int8), (src, dst)), shape=(n_nodes, n_nodes)),
                         directed=False)
    timings["scipy"] = time.perf_counter() - start
    import igraph as ig
    start = time.perf_counter()
    ig.Graph(n=n_nodes, edges=np.column_stack([src, dst]).tolist()).connected_components()
    timings["igraph (incl. building from a list)"] = time.perf_counter() - start
    try:
        import networkit as nk
    except ImportError:
        timings["networkit"] = None
    else:
        start = time.perf_counter()
        graph = nk.GraphFromCoo((np.ones(n_edges), (src.astype(np.uint64), dst.astype(np.uint64))),
                                n=n_nodes, directed=False)
        nk.components.ConnectedComponents(graph).run()
        timings["networkit"] = time.perf_counter() - start
    return {"nodes": n_nodes, "edges": n_edges,
            "seconds": {k: (round(v, 2) if v is not None else None) for k, v in timings.items()}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", action="append", default=[], help="SQLite file or database URL")
    parser.add_argument("--incremental", help="a store it may write: 1 %% more records, updated")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--one-incremental", help=argparse.SUPPRESS)
    args = parser.parse_args()
    results = [_in_own_process("--one", db) for db in args.store]
    payload = {"load_average_at_end": None, "stores": results,
               "incremental": _in_own_process("--one-incremental", args.incremental)
               if args.incremental else None,
               "components": measure_components(*FULL_GRAPH_1M)}
    payload["load_average_at_end"] = os.getloadavg()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "graph_gangs.json").write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n",
                                              "utf-8")
    print(json.dumps(payload["components"]))


def _in_own_process(flag: str, db: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.graph_gangs", flag, db],
                         capture_output=True, text=True, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    print(json.dumps(result, ensure_ascii=False))
    return result


if __name__ == "__main__":
    if "--one" in sys.argv:
        print(json.dumps(measure_store(sys.argv[sys.argv.index("--one") + 1]), ensure_ascii=False))
    elif "--one-incremental" in sys.argv:
        print(json.dumps(measure_incremental(sys.argv[sys.argv.index("--one-incremental") + 1]),
                         ensure_ascii=False, default=str))
    else:
        main()
