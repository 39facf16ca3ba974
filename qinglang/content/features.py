"""Hashed character n-grams of a whole batch at once, in numpy.

scikit-learn's HashingVectorizer builds every n-gram as a Python string (~2.6 MB/s here); these
hashes are computed from the code points of the batch's matching view with array arithmetic
(tens of MB/s). Hashing also means a trained model holds weights by bucket number only, never
text of the training data. The n-grams are read from two views: the folded one (traditional
and full-width forms, separators undone) and the matching one, where homophones read alike,
every digit reads 0 and lexicon variants (pinyin, initials, split characters) are already
rewritten to their term, so that obfuscation leaves half of the features untouched.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from qinglang.content.normalise import BOUNDARY

HASH_BITS = 18
N_FEATURES = 1 << HASH_BITS
NGRAM_SIZES = (1, 2, 3)
_STEP = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SHIFT = np.uint64(64 - HASH_BITS)


@dataclass(frozen=True)
class HashedNgrams:
    """Bucket of every n-gram occurrence, the document it belongs to, and per document the
    scale 1/sqrt(number of n-grams) that makes long and short texts comparable."""

    buckets: np.ndarray
    docs: np.ndarray
    scale: np.ndarray

    def matrix(self, rows: np.ndarray | None = None) -> sparse.csr_matrix:
        """Scaled n-gram counts as a sparse matrix (rows: all documents, or those given)."""
        buckets, docs, scale = self.buckets, self.docs, self.scale
        if rows is not None:
            keep = np.isin(docs, rows)
            renumber = np.full(len(scale), -1, dtype=np.int64)
            renumber[rows] = np.arange(len(rows))
            buckets, docs, scale = buckets[keep], renumber[docs[keep]], scale[rows]
        values = scale[docs].astype(np.float32)
        return sparse.csr_matrix((values, (docs, buckets)), shape=(len(scale), N_FEATURES))


def hashed_ngrams(views: list[str], n_docs: int) -> HashedNgrams:
    """The n-grams of a batch, read from each of `views` (texts separated by BOUNDARY)."""
    buckets, docs = [], []
    for salt, view in enumerate(views):
        for found_buckets, found_docs in _view_ngrams(view, salt):
            buckets.append(found_buckets)
            docs.append(found_docs)
    buckets = np.concatenate(buckets) if buckets else np.zeros(0, np.int64)
    docs = np.concatenate(docs) if docs else np.zeros(0, np.int64)
    counts = np.bincount(docs, minlength=n_docs)
    return HashedNgrams(buckets, docs, 1.0 / np.sqrt(np.maximum(counts, 1)))


def _view_ngrams(view: str, salt: int):
    codes = np.frombuffer(view.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    at_boundary = codes == ord(BOUNDARY)
    doc_of = np.cumsum(at_boundary)
    for size in NGRAM_SIZES:
        count = len(codes) - size + 1
        if count <= 0:
            continue
        value = np.full(count, np.uint64(size + 8 * salt))
        crosses = np.zeros(count, dtype=bool)
        for k in range(size):
            value = value * _STEP + codes[k:k + count]
            crosses |= at_boundary[k:k + count]
        keep = ~crosses
        yield ((value[keep] * _MIX) >> _SHIFT).astype(np.int64), doc_of[:count][keep]


def linear_scores(ngrams: HashedNgrams, weights: np.ndarray) -> np.ndarray:
    """Per document, the sum of the scaled n-gram weights (a linear model's n-gram part)."""
    sums = np.bincount(ngrams.docs, weights=weights[ngrams.buckets],
                       minlength=len(ngrams.scale))
    return sums * ngrams.scale
