"""The trained part of the content engine: two linear models over the same features.

`is_black_gray` is a logistic model over the hashed n-grams of features.py (trained with
naive-Bayes feature scaling, folded into its weights). The kind (`category`) is a multinomial
one, trained on black/gray texts only, over the same n-grams in fewer buckets (the top bits of
the hash, training.CATEGORY_HASH_BITS; the number is read from the weights) plus a few
evidence features (lexicon weight per category and sign, weight of terms in a
consumer-education context, contacts found by kind). Saved as one .npz of arrays (no pickle: loading a model
file cannot run code) that holds weights by hash bucket, never text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

import numpy as np

from qinglang.content.features import HashedNgrams
from qinglang.errors import InputError

DEFAULT_MODEL = "models/default.npz"


@dataclass(frozen=True)
class ContentModel:
    meta: dict                   # version, lexicon_version, threshold, evidence features, training
    weights: np.ndarray          # (features.N_FEATURES,) float32: n-grams only
    intercept: float
    categories: tuple[str, ...]
    category_weights: np.ndarray  # (n_categories, 2^k n-gram buckets + n_evidence) float32
    category_intercepts: np.ndarray

    @property
    def version(self) -> str:
        return self.meta["version"]

    @property
    def threshold(self) -> float:
        return self.meta["threshold"]

    def probabilities(self, ngrams: HashedNgrams) -> np.ndarray:
        """P(black/gray) of every document of a batch."""
        logits = ngrams.weighted_sums(self.weights) * ngrams.scale + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))

    def kinds(self, ngrams: HashedNgrams, evidence: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The index in `categories` of the most likely category of each document of `rows`."""
        if len(rows) == 0:
            return np.zeros(0, dtype=np.int64)
        scores = (ngrams.weighted_sums(self._category_ngram_weights, rows)
                  * ngrams.scale[rows, None]
                  + evidence[rows] @ self.category_weights[:, self.category_buckets:].T
                  + self.category_intercepts)
        return scores.argmax(axis=1)

    @property
    def category_buckets(self) -> int:
        """How many n-gram buckets the category model has (2^k: features.weighted_sums)."""
        return self.category_weights.shape[1] - len(self.meta["evidence"])

    @cached_property
    def _category_ngram_weights(self) -> np.ndarray:
        """(category_buckets, n_categories): a bucket's weight for every category in one row."""
        return np.ascontiguousarray(self.category_weights[:, :self.category_buckets].T)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path, meta=np.array(json.dumps(self.meta, ensure_ascii=False, sort_keys=True)),
            weights=self.weights, intercept=np.array(self.intercept),
            categories=np.array(self.categories), category_weights=self.category_weights,
            category_intercepts=self.category_intercepts)


def load_model(path: Path | None = None) -> ContentModel:
    """The model at `path`, or the packaged default."""
    if path is None:
        return default_model()
    return _read(Path(path))


@cache
def default_model() -> ContentModel:
    with resources.as_file(resources.files("qinglang.content").joinpath(DEFAULT_MODEL)) as path:
        return _read(path)


def _read(path: Path) -> ContentModel:
    if not path.is_file():
        raise InputError(f"{path.name}: no such content model; train one with `qinglang train`")
    with np.load(path, allow_pickle=False) as data:
        return ContentModel(
            meta=json.loads(str(data["meta"])), weights=data["weights"],
            intercept=float(data["intercept"]),
            categories=tuple(str(c) for c in data["categories"]),
            category_weights=data["category_weights"],
            category_intercepts=data["category_intercepts"])
