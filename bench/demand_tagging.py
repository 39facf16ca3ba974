"""Text tagging throughput (rules 3.4, 4.8, 4.9 and the attention flags, read in one pass as
the evaluator does), texts per second, on the sample institution's complaint texts at growing
sizes and on real complaints.

    .venv/bin/python -m bench.demand_tagging --sizes 100000,1000000

Texts are read in batches of `demands.BATCH`, as the evaluator does; reading the CSV is not
timed. Each run starts with a new scanner, so no clause is known in advance. The real complaints
(../shared/data/heimao_gold, read in place) are longer and almost never repeat a clause, unlike
generated ones (which repeat most of theirs: a clause seen before is not scanned again).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import time
from pathlib import Path

from bench.import_throughput import RESULTS, sample_dir
from qinglang.detect import demands
from qinglang.detect.cues import cycle_collector_paused
from qinglang.rules.schema import default_ruleset

GOLD = Path(__file__).resolve().parents[2] / "shared" / "data" / "heimao_gold" / "complaints.csv"
RULES = default_ruleset()
# the evaluator's work on a batch of texts: one reading for the three lexicons, and the hits
STEPS = {"one_pass_3.4_4.8_4.9_attention":
         lambda texts: demands.text_hits(range(len(texts)), texts, RULES)}


def read_texts(path: Path, limit: int | None = None) -> list[str]:
    with path.open(encoding="utf-8-sig") as handle:
        rows = csv.DictReader(handle)
        texts = [" ".join([row["text"], row.get("demands") or ""]) for row in rows]
    return texts[:limit]


def fresh_scanner() -> None:
    """A new scanner: no clause is known from an earlier run."""
    demands.text_scanner.cache_clear()
    demands.text_scanner()  # compile the lexicons outside the timing


def timed(texts: list[str]) -> dict:
    """Seconds and texts/s of each step over all texts, a batch at a time."""
    figures = {}
    fresh_scanner()
    for name, step in STEPS.items():
        started, cpu_started = time.perf_counter(), time.process_time()
        with cycle_collector_paused():  # as in the evaluator (`demands.text_rule_hits`)
            for first in range(0, len(texts), demands.BATCH):
                step(texts[first:first + demands.BATCH])
        figures[name] = rates(len(texts), time.perf_counter() - started,
                              time.process_time() - cpu_started)
    return figures


def rates(texts: int, seconds: float, cpu_seconds: float) -> dict:
    """Wall and CPU figures: on a shared machine the CPU time is the steadier one."""
    return {"seconds": round(seconds, 2), "texts_per_s": round(texts / seconds),
            "cpu_seconds": round(cpu_seconds, 2), "texts_per_cpu_s": round(texts / cpu_seconds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    texts = read_texts(sample_dir(max(sizes), args.seed) / "complaints.csv")
    results = {"machine": f"{os.cpu_count()} cores", "load_average_at_start": os.getloadavg(),
               "sample": {}}
    for size in sizes:
        chosen = texts[:size]
        chars = sum(map(len, chosen)) / len(chosen)
        results["sample"][size] = {"texts": len(chosen), "mean_chars": round(chars),
                                   **timed(chosen)}
        print(size, results["sample"][size])
    if GOLD.exists():
        real = read_texts(GOLD)
        results["heimao_real"] = {"texts": len(real),
                                  "mean_chars": round(sum(map(len, real)) / len(real)),
                                  **timed(real)}
        print("real", results["heimao_real"])
    results["load_average_at_end"] = os.getloadavg()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "demand_tagging.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
