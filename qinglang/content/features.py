"""Hashed character n-grams of a whole batch at once.

scikit-learn's HashingVectorizer builds every n-gram as a Python string (~2.6 MB/s here); these
hashes are computed from the code points of the batch's views: for scoring, hashed and summed
into a linear model's weights in one compiled pass per view (kernels.py); for training, as
arrays with numpy (`runs`, `matrix`), the same arithmetic. Hashing also means a trained model
holds weights by bucket number only, never text of the training data. The n-grams are read
from two views: the folded one (traditional and full-width forms, separators undone) and the
matching one, where homophones read alike, every digit reads 0 and lexicon variants (pinyin,
initials, split characters) are already rewritten to their term, so that obfuscation leaves
half of the features untouched.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from qinglang.content.normalise import BOUNDARY

HASH_BITS = 18
N_FEATURES = 1 << HASH_BITS
CROSSING = N_FEATURES
"""In the numpy reading (`runs`, `matrix`: training), the bucket given to a position whose
n-gram crosses BOUNDARY or runs past the end; it is never a feature."""
NGRAM_SIZES = (1, 2, 3)
"""The compiled kernels (kernels.py) are written for exactly these sizes."""
_STEP_INT = 0x100000001B3
_STEP = np.uint64(_STEP_INT)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SHIFT = np.uint64(64 - HASH_BITS)


@dataclass(frozen=True)
class NgramRun:
    """The n-grams of one size in one view: the bucket of the n-gram at every position of the
    view (plus one), and where each document's n-grams begin."""

    buckets: np.ndarray
    starts: np.ndarray


@dataclass(frozen=True)
class Documents:
    """A view of a batch (code points, documents separated by BOUNDARY) with where each
    document begins and its length."""

    codes: np.ndarray
    starts: np.ndarray
    lengths: np.ndarray

    @classmethod
    def of(cls, codes: np.ndarray) -> "Documents":
        boundaries = np.flatnonzero(codes == ord(BOUNDARY))
        starts = np.concatenate([[0], boundaries + 1])
        return cls(codes, starts, np.append(boundaries, len(codes)) - starts)

    def select(self, rows: np.ndarray) -> "Documents":
        """The documents `rows` alone, in that order."""
        lengths = self.lengths[rows]
        spans = lengths + 1                             # each with the BOUNDARY after it
        starts = np.cumsum(spans) - spans
        places = np.repeat(self.starts[rows] - starts, spans) + np.arange(spans.sum())
        return Documents(np.append(self.codes, ord(BOUNDARY))[places][:-1], starts, lengths)


@dataclass(frozen=True)
class HashedNgrams:
    """The views a batch's n-grams are read from and, per document, the scale
    1/sqrt(number of n-grams) that makes long and short texts comparable. The n-grams are
    hashed when they are used, one run at a time, so that each run's buckets are still in
    the processor's cache when its weights are gathered; the documents a category is
    wanted for are hashed again on their own."""

    views: tuple[Documents, ...]
    scale: np.ndarray

    def runs(self, rows: np.ndarray | None = None) -> Iterator[NgramRun]:
        """The n-gram runs of all documents, or of the documents `rows` (in that order)."""
        for salt, view in enumerate(self.views):
            yield from _view_ngrams(view if rows is None else view.select(rows), salt)

    def weighted_sums(self, table: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Per document (all, or `rows`), the sum over its n-grams of `table[bucket]`, in
        float64; `table` is a vector or a matrix of one row per bucket. A table of 2^k rows
        (k <= HASH_BITS) is read with k-bit buckets: the top k bits of the HASH_BITS-bit one.
        The n-grams are hashed and their weights summed in one compiled pass over each view
        (kernels.py)."""
        from qinglang.content.kernels import ngram_row_sums, ngram_sums, read_through  # numba

        rows = np.arange(len(self.scale)) if rows is None else np.asarray(rows, dtype=np.int64)
        total = np.zeros((len(rows), *table.shape[1:]))
        kernel = ngram_sums if table.ndim == 1 else ngram_row_sums
        shift = np.uint64(64 - _table_bits(table))
        read_through(table.reshape(-1))
        for salt, view in enumerate(self.views):
            kernel(view.codes.view(np.uint64), view.starts, view.lengths, rows, _seeds(salt),
                   _STEP, _MIX, shift, table, total)
        return total

    def matrix(self, rows: np.ndarray | None = None) -> sparse.csr_matrix:
        """Scaled n-gram counts as a sparse matrix (rows: all documents, or those given)."""
        scale = self.scale if rows is None else self.scale[rows]
        buckets, docs = [], []
        for run in self.runs(rows):
            places = np.flatnonzero(run.buckets != CROSSING)
            buckets.append(run.buckets[places])
            docs.append(np.searchsorted(run.starts, places, side="right") - 1)
        docs = np.concatenate(docs)
        return sparse.csr_matrix((scale[docs].astype(np.float32), (docs, np.concatenate(buckets))),
                                 shape=(len(scale), N_FEATURES))


def hashed_ngrams(views: list[np.ndarray], n_docs: int) -> HashedNgrams:
    """The n-grams of a batch, read from each of `views` (code points, texts separated by
    BOUNDARY)."""
    documents = tuple(Documents.of(view) for view in views)
    counts = np.zeros(n_docs, dtype=np.int64)
    for view in documents:
        for size in NGRAM_SIZES:
            counts += np.maximum(view.lengths - size + 1, 0)
    return HashedNgrams(documents, 1.0 / np.sqrt(np.maximum(counts, 1)))


def _table_bits(table: np.ndarray) -> int:
    """k for a weight table of 2^k rows (one per k-bit bucket)."""
    bits = len(table).bit_length() - 1
    if len(table) != 1 << bits or bits > HASH_BITS:
        raise ValueError(f"a weight table has 2^k rows, k <= {HASH_BITS}; not {len(table)}")
    return bits


def _seeds(salt: int) -> np.ndarray:
    """The seed of each n-gram size in the view numbered `salt` (see _view_ngrams)."""
    return np.array([(size + 8 * salt) * pow(_STEP_INT, size, 1 << 64) % (1 << 64)
                     for size in NGRAM_SIZES], dtype=np.uint64)


def _view_ngrams(view: Documents, salt: int) -> Iterator[NgramRun]:
    """Each n-gram's hash is seed·STEP^n + Σ code·STEP^(n-1-k) (mod 2^64), the FNV-style fold of
    the n-gram over a size- and view-dependent seed; `prefix` carries the sum from one size to
    the next."""
    codes = view.codes.view(np.uint64)
    boundaries = view.starts[1:] - 1
    prefix = codes
    for size in NGRAM_SIZES:
        if size > 1:
            prefix = prefix[:-1] * _STEP + codes[size - 1:]
        buckets = np.empty(len(codes) + 1, dtype=np.int32)
        buckets[len(prefix):] = CROSSING
        if len(prefix):
            hashed = prefix + _seeds(salt)[size - 1]
            hashed *= _MIX
            hashed >>= _SHIFT
            buckets[:len(prefix)] = hashed
            crossing = (boundaries[:, None] - np.arange(size)).ravel()
            buckets[crossing[crossing >= 0]] = CROSSING
        yield NgramRun(buckets, view.starts)
