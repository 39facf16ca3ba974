"""Training the content model, and measuring it.

Both models are scikit-learn logistic regressions over the engine's own features
(engine.read): what is trained is exactly what scanning computes. The figures reported for
the training texts are out-of-fold, folds drawn by campaign (corpus.campaign_key) so that no
fold is judged on variants of what it was trained on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold

from qinglang.content.corpus import LabelledText
from qinglang.content.engine import ContentEngine
from qinglang.content.features import HASH_BITS
from qinglang.content.lexicon import Lexicon, default_lexicon
from qinglang.content.model import ContentModel

BATCH = 4096
C_BLACK_GRAY = 30.0
C_CATEGORY = 20.0
NB_SMOOTHING = 1.0
THRESHOLD = 0.3
FOLDS = 5
CATEGORY_HASH_BITS = 14
"""The category model reads the n-grams in 2^14 buckets (the top bits of the black/gray
model's 2^18): its table of nine weights a bucket is then 0.6 MB, which stays in the
processor's cache while a batch is scanned, instead of 9.4 MB. Out-of-fold accuracy of the
category on the black/gray training texts (folds by campaign, two fold seeds): 0.9896 against
0.9902 with 2^18 buckets."""


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    support: int

    def as_dict(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4), "positives": self.support}


@dataclass(frozen=True)
class Design:
    """What training needs of a corpus: n-gram matrix, evidence matrix, labels."""

    ngrams: sparse.csr_matrix
    evidence: sparse.csr_matrix
    labels: np.ndarray
    groups: np.ndarray           # campaign of each text, for the folds

    def category_features(self, rows: np.ndarray) -> sparse.csr_matrix:
        """The n-grams in CATEGORY_HASH_BITS-bit buckets, then the evidence columns."""
        ngrams = self.ngrams[rows].tocoo()
        folded = sparse.csr_matrix(
            (ngrams.data, (ngrams.row, ngrams.col >> (HASH_BITS - CATEGORY_HASH_BITS))),
            shape=(len(rows), 1 << CATEGORY_HASH_BITS))
        return sparse.hstack([folded, self.evidence[rows]]).tocsr()


def design(engine: ContentEngine, examples: list[LabelledText]) -> Design:
    """Features of `examples`, read in batches exactly as a scan reads them."""
    ngrams, evidence = [], []
    for start in range(0, len(examples), BATCH):
        reading = engine.read([e.text for e in examples[start:start + BATCH]])
        ngrams.append(reading.ngrams.matrix())
        evidence.append(sparse.csr_matrix(reading.evidence))
    campaigns = [e.campaign or f"#{index}" for index, e in enumerate(examples)]
    return Design(sparse.vstack(ngrams).tocsr(), sparse.vstack(evidence).tocsr(),
                  np.array([e.is_black_gray for e in examples]),
                  np.unique(campaigns, return_inverse=True)[1])


def train(examples: list[LabelledText], lexicon: Lexicon | None = None,
          version: str | None = None, sources: dict | None = None) -> ContentModel:
    lexicon = lexicon or default_lexicon()
    engine = ContentEngine(None, lexicon)
    data = design(engine, examples)
    cross_validated = scores(data.labels, out_of_fold_probabilities(data) >= THRESHOLD)
    weights, intercept = fit_black_gray(data.ngrams, data.labels)
    positives = np.flatnonzero(data.labels)
    kinds = np.array([examples[i].category for i in positives])
    category = LogisticRegression(C=C_CATEGORY, max_iter=2000).fit(
        data.category_features(positives), kinds)
    now = datetime.now(timezone.utc)
    meta = {
        "version": version or now.strftime("%Y%m%d-%H%M"),
        "lexicon_version": lexicon.version,
        "evidence": list(engine.features),
        "threshold": THRESHOLD,
        "training": {"texts": len(examples), "black_gray": int(data.labels.sum()),
                     "sources": sources or {}, "c": C_BLACK_GRAY, "c_category": C_CATEGORY},
        "figures": {"cross_validated": cross_validated.as_dict()},
    }
    return ContentModel(
        meta=meta, weights=weights.astype(np.float32), intercept=intercept,
        categories=tuple(str(c) for c in category.classes_),
        category_weights=_per_class(category).astype(np.float32),
        category_intercepts=_per_class_intercepts(category).astype(np.float32))


def fit_black_gray(ngrams: sparse.csr_matrix, labels: np.ndarray) -> tuple[np.ndarray, float]:
    """Logistic regression on naive-Bayes-scaled n-grams (NB-LR); the scaling is folded into
    the returned weights, so scoring is a plain weighted sum."""
    ratio = _nb_log_ratio(ngrams, labels)
    model = LogisticRegression(C=C_BLACK_GRAY, solver="liblinear", max_iter=2000).fit(
        ngrams @ sparse.diags(ratio), labels)
    return model.coef_[0] * ratio, float(model.intercept_[0])


def _nb_log_ratio(ngrams: sparse.csr_matrix, labels: np.ndarray) -> np.ndarray:
    present = (ngrams > 0).astype(np.float64)
    black = NB_SMOOTHING + np.asarray(present[labels].sum(axis=0)).ravel()
    other = NB_SMOOTHING + np.asarray(present[~labels].sum(axis=0)).ravel()
    return np.log(black / black.sum()) - np.log(other / other.sum())


def _per_class(model: LogisticRegression) -> np.ndarray:
    """(n_classes, n_features) even when there are only two classes."""
    coef = model.coef_
    return np.vstack([-coef[0], coef[0]]) if len(model.classes_) == 2 else coef


def _per_class_intercepts(model: LogisticRegression) -> np.ndarray:
    b = model.intercept_
    return np.array([-b[0], b[0]]) if len(model.classes_) == 2 else b


def campaign_folds(data: Design, seed: int = 0) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(fit rows, test rows) of FOLDS folds, stratified by label, a campaign never split."""
    folds = StratifiedGroupKFold(FOLDS, shuffle=True, random_state=seed)
    return folds.split(data.ngrams, data.labels, data.groups)


def out_of_fold_probabilities(data: Design, seed: int = 0) -> np.ndarray:
    """P(black/gray) of every text from a model that saw neither it nor its campaign."""
    probabilities = np.zeros(len(data.labels))
    for fit_rows, test_rows in campaign_folds(data, seed):
        weights, intercept = fit_black_gray(data.ngrams[fit_rows], data.labels[fit_rows])
        logits = data.ngrams[test_rows] @ weights + intercept
        probabilities[test_rows] = 1.0 / (1.0 + np.exp(-logits))
    return probabilities


def scores(truth, predicted) -> Scores:
    truth, predicted = np.asarray(truth, bool), np.asarray(predicted, bool)
    hits = int((truth & predicted).sum())
    precision = hits / max(1, int(predicted.sum()))
    recall = hits / max(1, int(truth.sum()))
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return Scores(precision, recall, f1, int(truth.sum()))


def predict(engine: ContentEngine, texts: list[str]) -> np.ndarray:
    return np.concatenate([engine.assess(texts[start:start + BATCH]).is_black_gray
                           for start in range(0, len(texts), BATCH)] or [np.zeros(0, bool)])
