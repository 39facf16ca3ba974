"""Text tagging throughput (rules 3.4, 4.8, 4.9 and the attention flags), texts per second, on
the sample institution's complaint texts at growing sizes and on real complaints.

    .venv/bin/python -m bench.demand_tagging --sizes 100000,1000000

Texts are tagged in batches of `demands.BATCH`, as the evaluators do; reading the CSV is not
timed. Each run starts with new scanners, so no clause is known in advance. The real complaints
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
from qinglang.detect import demands, legal

GOLD = Path(__file__).resolve().parents[2] / "shared" / "data" / "heimao_gold" / "complaints.csv"
STEPS = {
    "demands_4.8_4.9": lambda texts: demands.default_tagger().tag_many(texts),
    "legal_3.4": legal.legal_language,
    "attention": demands.attention_flags,
}


def read_texts(path: Path, limit: int | None = None) -> list[str]:
    with path.open(encoding="utf-8-sig") as handle:
        rows = csv.DictReader(handle)
        texts = [" ".join([row["text"], row.get("demands") or ""]) for row in rows]
    return texts[:limit]


def fresh_scanners() -> None:
    """New scanners: no clause is known from an earlier run."""
    for loader in (demands.default_tagger, demands.attention_scanner, legal.legal_scanner):
        loader.cache_clear()
        loader()  # compile the lexicon outside the timing


def timed(texts: list[str]) -> dict:
    """Seconds and texts/s of each step over all texts, a batch at a time."""
    figures = {}
    fresh_scanners()
    for name, step in STEPS.items():
        started, cpu_started = time.perf_counter(), time.process_time()
        for first in range(0, len(texts), demands.BATCH):
            step(texts[first:first + demands.BATCH])
        figures[name] = rates(len(texts), time.perf_counter() - started,
                              time.process_time() - cpu_started)
    figures["all"] = rates(len(texts), sum(f["seconds"] for f in figures.values()),
                           sum(f["cpu_seconds"] for f in figures.values()))
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
