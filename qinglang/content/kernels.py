"""The per-character loops of scanning, compiled (numba): hashing a batch's n-grams and
summing a linear model's weights per document in one pass over the characters, where numpy
needed a dozen passes over arrays as long as the batch plus a sparse product per n-gram size.

The hash is the one of features.py (n-grams of sizes 1, 2 and 3), computed the same way in
64-bit unsigned arithmetic (wrapping), so the kernels and the numpy reading used for training
give the same buckets (tests/content/test_batch_path.py holds them equal). Sums are kept in
local variables per document: the weights' loads then overlap instead of waiting on a store.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def ngram_sums(codes: np.ndarray, starts: np.ndarray, lengths: np.ndarray, rows: np.ndarray,
               seeds: np.ndarray, step: np.uint64, mix: np.uint64, shift: np.uint64,
               table: np.ndarray, out: np.ndarray) -> None:
    """Add to out[j] the sum of table[bucket] over every n-gram of document rows[j] of one
    view (code points as uint64, document d at starts[d] for lengths[d]); seeds[n - 1] is
    the seed of size n, and the bucket is the top 64 - shift bits of the mixed hash."""
    for j in range(len(rows)):
        first, length = starts[rows[j]], lengths[rows[j]]
        total = 0.0
        one = two = three = np.uint64(0)
        for i in range(length):
            code = codes[first + i]
            three = two * step + code
            two = one * step + code
            one = code
            total += table[((one + seeds[0]) * mix) >> shift]
            if i >= 1:
                total += table[((two + seeds[1]) * mix) >> shift]
            if i >= 2:
                total += table[((three + seeds[2]) * mix) >> shift]
        out[j] += total


@njit(cache=True, nogil=True)
def ngram_row_sums(codes: np.ndarray, starts: np.ndarray, lengths: np.ndarray,
                   rows: np.ndarray, seeds: np.ndarray, step: np.uint64, mix: np.uint64,
                   shift: np.uint64, table: np.ndarray, out: np.ndarray) -> None:
    """ngram_sums for a table of one row of weights per bucket (a weight per class)."""
    width = table.shape[1]
    total = np.zeros(width)
    for j in range(len(rows)):
        first, length = starts[rows[j]], lengths[rows[j]]
        total[:] = 0.0
        one = two = three = np.uint64(0)
        for i in range(length):
            code = codes[first + i]
            three = two * step + code
            two = one * step + code
            one = code
            _add_row(total, table, ((one + seeds[0]) * mix) >> shift)
            if i >= 1:
                _add_row(total, table, ((two + seeds[1]) * mix) >> shift)
            if i >= 2:
                _add_row(total, table, ((three + seeds[2]) * mix) >> shift)
        for k in range(width):
            out[j, k] += total[k]


@njit(inline="always")
def _add_row(total: np.ndarray, table: np.ndarray, bucket: np.uint64) -> None:
    for k in range(len(total)):
        total[k] += table[bucket, k]


@njit(cache=True, nogil=True)
def kept_runs(flags: np.ndarray, in_run: int, digit: int, handle_char: int, dot: int,
              handle_cue: int, min_digits: int, min_handle_chars: int) -> np.ndarray:
    """The places of the runs of characters flagged `in_run` that can hold a contact (one
    with a `dot`, `min_digits` digits, or a `handle_cue` and `min_handle_chars` handle
    characters), one after the other with -1 between two runs. Runs are maximal, so a -1
    stands for at least one character left out: the result is never longer than `flags`."""
    places = np.empty(len(flags), dtype=np.int64)
    count, first = 0, 0
    while first < len(flags):
        if not flags[first] & in_run:
            first += 1
            continue
        last, present, digits, handle_chars = first, 0, 0, 0
        while last < len(flags) and flags[last] & in_run:
            present |= flags[last]
            digits += (flags[last] & digit) != 0
            handle_chars += (flags[last] & handle_char) != 0
            last += 1
        if (present & dot or digits >= min_digits
                or (present & handle_cue and handle_chars >= min_handle_chars)):
            if count:
                places[count] = -1
                count += 1
            for place in range(first, last):
                places[count] = place
                count += 1
        first = last
    return places[:count]
