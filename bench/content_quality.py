"""Quality of the content engine on the held-out part of FBS SMS, clean and under each style of
the obfuscation suite, next to a plain character n-gram model trained on the same texts.

    .venv/bin/python -m bench.content_quality --sample /tmp/sample101
    .venv/bin/python -m bench.content_quality --sample /tmp/sample101 --cv   # training part only

The baseline is scikit-learn's TfidfVectorizer (characters, 1–3-grams) + LogisticRegression
on the raw texts, trained on the same texts as the shipped model (FBS tuning part + the
sample folder's posts). Writes bench/results/content_quality.json.

`--cv` reads only the training texts (never the held-out part): out-of-fold F1 on the FBS
training texts of the shipped model's training at each black/gray threshold, folds drawn by
campaign, averaged over three fold seeds; what a threshold chosen by cross-validation would be.
Writes bench/results/content_cv.json.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from qinglang.content.corpus import fbs_corpus, sample_posts
from qinglang.content.engine import ContentEngine, default_engine
from qinglang.content.evasion import STYLES, obfuscate
from qinglang.content.training import design, out_of_fold_probabilities, scores

RESULTS = Path(__file__).resolve().parent / "results"
CV_THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
CV_SEEDS = (0, 1, 2)
FBS = Path(__file__).resolve().parents[2] / "shared" / "data" / "fbs_sms" / "train.tsv"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", type=Path, required=True,
                        help="the `qinglang sample` folder the shipped model was trained with")
    parser.add_argument("--cv", action="store_true",
                        help="only the thresholds by cross-validation on the training texts")
    args = parser.parse_args()
    training = fbs_corpus(FBS, held_out=False) + sample_posts(args.sample)
    if args.cv:
        write("content_cv", thresholds_by_cross_validation(training))
        return
    held = fbs_corpus(FBS, held_out=True)
    baseline = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3),
                                             sublinear_tf=True),
                             LogisticRegression(C=30, max_iter=2000))
    baseline.fit([e.text for e in training], [e.is_black_gray for e in training])
    engine = default_engine()
    judges = {
        "engine": lambda texts: [a.is_black_gray for a in engine.assess(texts)],
        "plain_char_ngram_lr": lambda texts: list(baseline.predict(texts)),
    }
    truth = [e.is_black_gray for e in held]
    positives = [e.text for e in held if e.is_black_gray]
    result = {}
    for name, judge in judges.items():
        figures = {"held_out": scores(truth, judge([e.text for e in held])).as_dict()}
        for style in (*STYLES, "combined"):
            rng = random.Random(style)
            flagged = judge([obfuscate(t, style, rng) for t in positives])
            figures[f"recall_{style}"] = round(sum(flagged) / len(positives), 4)
        result[name] = figures
    write("content_quality", result)


def thresholds_by_cross_validation(training) -> dict:
    """Out-of-fold F1 on the FBS training texts at each threshold, averaged over CV_SEEDS."""
    data = design(ContentEngine(None), training)
    fbs = np.array([e.source == "fbs_sms" for e in training])
    f1 = {t: [] for t in CV_THRESHOLDS}
    for seed in CV_SEEDS:
        probabilities = out_of_fold_probabilities(data, seed)
        for threshold in CV_THRESHOLDS:
            f1[threshold].append(scores(data.labels[fbs], probabilities[fbs] >= threshold).f1)
    return {"folds": "5 by campaign", "seeds": len(CV_SEEDS),
            "fbs_training_f1_by_threshold": {str(t): round(float(np.mean(v)), 4)
                                             for t, v in f1.items()}}


def write(name: str, result: dict) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
