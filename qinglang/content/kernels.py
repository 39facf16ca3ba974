"""The per-character loops of scanning, compiled (numba): hashing a batch's n-grams and
summing a linear model's weights per document in one pass over the characters, where numpy
needed a dozen passes over arrays as long as the batch plus a sparse product per n-gram size;
cutting out the runs that can hold a contact, and finding the contacts met before.

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


@njit(cache=True, nogil=True)
def read_through(flat: np.ndarray) -> float:
    """A value of every 64-byte line of a weight table (flattened), summed; the sum is of no
    use, it keeps the reads. Between two batches the other steps push the tables out of the
    cache, and the n-gram kernels' scattered reads then each wait on a miss: read in order
    first, a table comes back at the memory's speed (over the bench's text, black/gray sums
    33-38 → 21 ms a pass and category sums 27-29 → 20 ms, these reads included)."""
    total = 0.0
    for place in range(0, len(flat), 64 // flat.itemsize):
        total += flat[place]
    return total


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


@njit(cache=True, nogil=True)
def remembered_spans(codes: np.ndarray, kind: np.ndarray, start: np.ndarray, end: np.ndarray,
                     slots: np.ndarray, key_kind: np.ndarray, key_start: np.ndarray,
                     key_end: np.ndarray, chars: np.ndarray, used: np.ndarray) -> np.ndarray:
    """The number of each (kind[i], codes[start[i]:end[i]]) in a table of the pairs seen so far
    (open addressing: `slots` holds numbers, -1 when free, its length a power of two; pair k
    is key_kind[k] and chars[key_start[k]:key_end[k]]), the pairs not seen before numbered
    and added from used = [pairs, characters] on, which is updated. The caller leaves room."""
    mask = np.uint64(len(slots) - 1)
    numbers = np.empty(len(kind), dtype=np.int64)
    for i in range(len(kind)):
        first, length = start[i], end[i] - start[i]
        hashed = np.uint64(kind[i]) + np.uint64(0x9E3779B97F4A7C15)
        for place in range(first, end[i]):
            hashed = (hashed ^ np.uint64(codes[place])) * np.uint64(0x100000001B3)
        slot = (hashed ^ (hashed >> np.uint64(29))) & mask
        while True:
            number = slots[slot]
            if number < 0:
                number = used[0]
                slots[slot] = number
                key_kind[number], key_start[number] = kind[i], used[1]
                key_end[number] = used[1] + length
                chars[used[1]:used[1] + length] = codes[first:end[i]]
                used[0] += 1
                used[1] += length
                break
            if (key_kind[number] == kind[i] and key_end[number] - key_start[number] == length
                    and _same(chars, key_start[number], codes, first, length)):
                break
            slot = (slot + np.uint64(1)) & mask
        numbers[i] = number
    return numbers


@njit(inline="always")
def _same(left: np.ndarray, left_start: int, right: np.ndarray, right_start: int,
          length: int) -> bool:
    for offset in range(length):
        if left[left_start + offset] != right[right_start + offset]:
            return False
    return True
