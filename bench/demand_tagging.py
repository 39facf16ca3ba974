"""Text tagging throughput (rules 3.4, 4.8, 4.9 and the attention flags, read in one pass as
the evaluator does), texts per second, on the sample institution's complaint texts at growing
sizes and on real complaints.

    .venv/bin/python -m bench.demand_tagging --sizes 100000,1000000
    .venv/bin/python -m bench.demand_tagging --model-cv   # the trained alternative, measured

`--model-cv` measures the alternative to the lexicon the issue suggested: a character 1-3-gram
linear model (hashed features, logistic regression) trained on the tagged heimao complaints of
the tuning parts (crc32(id) % 4 in 0-2), 3-fold by part; the held part 3 is never read.

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
import zlib
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


RULE_TAGS = {"4.8": ("grievance_fee_rate", "grievance_collector"),
             "4.9": ("demand_reduce_debt", "demand_lower_interest", "demand_stop_collection",
                     "demand_delete_credit")}


def tuning_complaints() -> list[tuple[str, int, dict[str, bool]]]:
    """(text, part, rule → judged) of the tagged complaints of parts 0-2; part 3 is left unread."""
    with GOLD.open(encoding="utf-8") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    with (GOLD.parent / "complaint_tags.tsv").open(encoding="utf-8") as handle:
        rows = [(zlib.crc32(row["id"].encode()) % 4, row)
                for row in csv.DictReader(handle, delimiter="\t")]
    found = []
    for part, row in rows:
        if part == 3:
            continue
        text = next((t for t in texts if t.startswith(row["text_prefix"][:30])), None)
        if text:
            found.append((text, part, {rule: any(row[tag] == "1" for tag in tags)
                                       for rule, tags in RULE_TAGS.items()}))
    return found


def model_cv() -> dict:
    """F1 per rule of the character n-gram model, 3-fold over the tuning parts, next to the
    lexicon's on the same complaints (which it was written from, so an upper bound)."""
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    data = tuning_complaints()
    lexicon = [{hit.rule for hit in hits}
               for hits in demands.default_tagger().tag_many([text for text, _, _ in data])]
    figures = {}
    for rule in RULE_TAGS:
        judged = [truth[rule] for _, _, truth in data]
        predicted = [False] * len(data)
        for part in range(3):
            model = make_pipeline(
                HashingVectorizer(analyzer="char", ngram_range=(1, 3), n_features=2**18,
                                  alternate_sign=False, norm=None),
                TfidfTransformer(sublinear_tf=True),
                LogisticRegression(class_weight="balanced", max_iter=2000))
            train = [i for i, (_, p, _) in enumerate(data) if p != part]
            model.fit([data[i][0] for i in train], [judged[i] for i in train])
            test = [i for i, (_, p, _) in enumerate(data) if p == part]
            for i, guess in zip(test, model.predict([data[i][0] for i in test])):
                predicted[i] = bool(guess)
        either = [m or rule in found for m, found in zip(predicted, lexicon)]
        figures[rule] = {"complaints": len(data), "judged": sum(judged),
                         "model_f1": f1(judged, predicted),
                         "lexicon_f1": f1(judged, [rule in found for found in lexicon]),
                         "lexicon_or_model_f1": f1(judged, either)}
    return figures


def f1(truths: list[bool], founds: list[bool]) -> float:
    hits = sum(t and f for t, f in zip(truths, founds))
    return round(2 * hits / (sum(truths) + sum(founds)), 3) if any(truths) or any(founds) else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--model-cv", action="store_true",
                        help="measure the trained alternative instead of the speed")
    args = parser.parse_args()
    if args.model_cv:
        figures = model_cv()
        print(figures)
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "demand_model_cv.json").write_text(json.dumps(figures, indent=2) + "\n")
        return
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
