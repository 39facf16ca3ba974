"""Template-pair F1 of the template detector with the shipped rule parameters.

On the sample institution: pairs of complaints written from one gang template (truth
template_id) against pairs the detector puts in one cluster. On real complaints
(../shared/data/heimao_gold, read in place, never copied): the hand-judged pairs of
template_pairs.tsv, split in two by crc32 of the pair's ids. The 3.2 parameters were chosen
on half 0 together with three sample institutions (seeds 23, 24, 25: template-pair F1 and
genuine complaints in multi-customer clusters); half 1 is the held-out figure. The baseline is
the plain character 5-gram Jaccard at its best threshold on half 0.

Once the sample's genuine complaints were written the way real ones are (varied wording and
length, `qinglang/sample/text.py`), the length floor could come down from 80 to 35 shared
5-grams (the largest floor reaching the best half-0 figure: 0.29 -> 0.69), and the links of
texts sharing a passage no other text has (`rare_shared_markers` 6 of 3-grams sampled one in
two, chosen on half 0 with the three samples) took half 0 to 0.95. Held out, half 1 measured
0.87 (0.55 before); it was computed to be reported, never to choose. The floors are the
figures measured when the detector last changed: a change must not fall below them.
"""

from __future__ import annotations

import csv
import io
import zlib
from collections import Counter
from pathlib import Path

import pytest

from qinglang.detect.template_store import params_of
from qinglang.detect.templates import cluster_texts
from qinglang.rules.schema import default_ruleset
from qinglang.sample import generate

GOLD = Path(__file__).resolve().parents[3] / "shared" / "data" / "heimao_gold"
SAMPLE_FLOOR = 0.95
HEIMAO_FLOOR = {0: 0.95, 1: 0.87}


def pair_f1(truth: list, found: list) -> float:
    """F1 over all pairs of items: a pair is positive when both carry the same label."""
    def pairs(labels) -> int:
        return sum(n * (n - 1) // 2 for n in Counter(x for x in labels if x is not None).values())
    both = pairs([(t, f) if t is not None and f is not None else None
                  for t, f in zip(truth, found)])
    precision, recall = both / max(pairs(found), 1), both / max(pairs(truth), 1)
    return 2 * precision * recall / max(precision + recall, 1e-12)


def _sample_complaints(folder: Path) -> list[dict]:
    rows = list(csv.DictReader((folder / "complaints.csv").open(encoding="utf-8-sig")))
    letters = (folder / "letters_gbk.csv").read_bytes().decode("gb18030")
    rows += list(csv.DictReader(io.StringIO(letters)))
    return sorted(rows, key=lambda r: (r["received_at"][:19].replace("T", " "), r["complaint_id"]))


@pytest.mark.slow
def test_template_pair_f1_on_a_sample_institution(tmp_path):
    generate(tmp_path, customers=3000, seed=23)
    with (tmp_path / "truth" / "complaints.csv").open(encoding="utf-8") as handle:
        truth = {r["complaint_id"]: r["template_id"] or None for r in csv.DictReader(handle)}
    rows = _sample_complaints(tmp_path)
    found = cluster_texts([r["text"] for r in rows], params_of(default_ruleset()))
    f1 = pair_f1([truth[r["complaint_id"]] for r in rows],
                 [int(x) if x >= 0 else None for x in found.root])
    print(f"sample template-pair F1 {f1:.3f}")
    assert f1 >= SAMPLE_FLOOR


@pytest.fixture(scope="module")
def gold():
    if not (GOLD / "template_pairs.tsv").exists():
        pytest.skip("../shared/data/heimao_gold is not here")
    with (GOLD / "complaints.csv").open(encoding="utf-8") as handle:
        texts = {r["complaint_id"]: r["text"] for r in csv.DictReader(handle)}
    with (GOLD / "template_pairs.tsv").open(encoding="utf-8") as handle:
        pairs = list(csv.DictReader(handle, delimiter="\t"))
    return texts, pairs


def half(pair: dict) -> int:
    return zlib.crc32(f"{pair['id_a']}|{pair['id_b']}".encode()) % 2


def judged_f1(pairs: list[dict], same) -> float:
    tp = sum(same(p) and p["same_template"] == "1" for p in pairs)
    fp = sum(same(p) and p["same_template"] != "1" for p in pairs)
    fn = sum(not same(p) and p["same_template"] == "1" for p in pairs)
    return 2 * tp / max(2 * tp + fp + fn, 1)


@pytest.mark.parametrize("part", [0, 1])
def test_template_pair_f1_on_real_complaints(gold, part):
    texts, pairs = gold
    ids = sorted(texts)  # one date for all: complaint id order stands for time
    found = cluster_texts([texts[i] for i in ids], params_of(default_ruleset()))
    root = dict(zip(ids, found.root.tolist()))
    mine = [p for p in pairs if half(p) == part]
    f1 = judged_f1(mine, lambda p: root[p["id_a"]] >= 0 and root[p["id_a"]] == root[p["id_b"]])
    tuned = [p for p in pairs if half(p) == 0]
    threshold = max((judged_f1(tuned, lambda p, t=t: float(p["jaccard"]) >= t), t)
                    for t in sorted({float(p["jaccard"]) for p in tuned}))[1]
    baseline = judged_f1(mine, lambda p: float(p["jaccard"]) >= threshold)
    print(f"heimao half {part}: template-pair F1 {f1:.3f}; "
          f"5-gram Jaccard >= {threshold} (best on half 0): {baseline:.3f}")
    assert f1 >= HEIMAO_FLOOR[part]
