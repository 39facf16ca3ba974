"""MinHash signatures of Chinese complaint texts, computed for many texts at once with numpy.

Texts are first normalised so that slot-filled copies of one letter look alike: full-width
forms folded, Latin letters lower-cased, punctuation and spaces dropped, and every run of
digits (amounts, dates, card tails, masked id numbers, phone numbers) turned into one `0`.
The normalised text is cut into character 5-grams; one-permutation hashing (each shingle's
hash picks one of `SLOTS` bins and keeps the smallest value seen there) gives a signature
whose share of equal slots estimates the Jaccard similarity of two texts. Bands of
`ROWS` slots hashed together are the LSH bucket keys that find candidate pairs without
comparing every pair.

Alongside, every text gets its marker grams: the distinct character 3-grams of the same
normalised text whose hash falls in one bin out of `MARKER_EVERY`. A passage that only two
texts of a whole store share is a script one copied from the other, whatever the rest of
the two texts says; the markers let the detector find such passages without keeping every
3-gram.

Texts are signed a chunk at a time from one array of code points; normalising, hashing the
windows, keeping each slot's minimum and comparing signatures are compiled loops
(`qinglang.text.kernels`) that take each character, window and slot once.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import numpy as np
from numpy._core.multiarray import _set_madvise_hugepage

from qinglang.text import kernels

SHINGLE = 5
MARKER = 3
MARKER_EVERY = 2  # a power of two
_TEXT_BITS = 16  # texts signed in one chunk are numbered in this many bits
SLOTS = 256
SLOT_BITS = 8  # 2**SLOT_BITS == SLOTS
ROWS = 2
BANDS = 16  # the first BANDS * ROWS slots make the bucket keys
EMPTY = np.uint32(0xFFFFFFFF)
_SEPARATOR = 1
_MASK64 = (1 << 64) - 1
# Odd 64-bit multipliers, one per shingle position (fixed: stored signatures depend on them).
_POSITION_MULTIPLIERS = np.array(
    [0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB, 0xD6E8FEB86659FD93,
     0xA0761D6478BD642F], dtype=np.uint64)
_BAND_SALT = np.array([(0xE7037ED1A0B428DB * (k + 1)) & _MASK64 for k in range(BANDS)],
                      dtype=np.uint64)


@dataclass(frozen=True)
class Signatures:
    """One row of `SLOTS` uint32 per text, the number of 5-gram windows of each text, and
    the (marker, text index) rows of the distinct marker grams of each signed text, but of a
    marker found in more than three texts of one chunk only its first three (enough to tell
    that it is not rare); in text order, sorted by marker within each chunk."""

    slots: np.ndarray
    shingles: np.ndarray
    markers: np.ndarray


@contextmanager
def small_pages() -> Iterator[None]:
    """Large arrays allocated inside get the kernel's usual small pages. numpy asks for huge
    pages (madvise), and where memory is fragmented each first touch of one then waits for
    the kernel to compact memory: the gigabyte of a million signatures cost 0.1 to 2.8
    system-seconds that way here, against a steady 0.4 in small pages, and the whole build
    about 2 s more."""
    previous = _set_madvise_hugepage(False)
    try:
        yield
    finally:
        _set_madvise_hugepage(previous)


def normalised_codepoints(texts: list[str]) -> np.ndarray:
    """The code points of all normalised texts, each followed by a separator: full-width
    forms folded, Latin letters lower-cased, every run of digits (and of the `*` of masked
    id numbers) one `0`, anything but CJK ideographs, Latin letters and digits dropped."""
    joined = "\x01".join(texts) + "\x01"
    points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).copy()
    return points[:kernels.normalise(points)]


def sign(texts: list[str], least: int = 1, chunk: int = 20_000) -> Signatures:
    """MinHash signatures (one-permutation hashing) of many texts. Only the texts of at
    least `least` shingles are signed in full (densified, marker grams kept): the others keep
    empty slots and are not compared, so `least` is the floor of the texts taking part.
    Texts are normalised `chunk` at a time and signed straight into the result."""
    count = len(texts)
    with small_pages():
        slots = np.full((count, SLOTS), EMPTY, dtype=np.uint32)
    shingles = np.zeros(count, dtype=np.int64)
    markers = [np.zeros((0, 2), dtype=np.int64)]
    chunk = min(chunk, 1 << _TEXT_BITS)
    for start in range(0, count, chunk):
        end = min(start + chunk, count)
        points = normalised_codepoints(texts[start:end])
        found = np.empty(points.size, dtype=np.uint64)
        found = found[:kernels.sign_points(
            points, _POSITION_MULTIPLIERS, np.uint64(64 - SLOT_BITS), max(least, 1),
            np.uint64(MARKER_EVERY - 1), slots[start:end], shingles[start:end], found,
            np.uint64(_TEXT_BITS))]
        rows = _few_per_marker(found)
        rows[:, 1] += start
        markers.append(rows)
    return Signatures(slots, shingles, np.concatenate(markers))


def _few_per_marker(keys: np.ndarray) -> np.ndarray:
    """Distinct (marker, text index) rows of a chunk's marker keys (the marker in the top
    bits, the text in the low `_TEXT_BITS`: one sort of plain integers dedupes them), sorted,
    at most three of a marker."""
    keys = np.sort(keys)
    keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if keys.size else keys
    names = keys >> np.uint64(_TEXT_BITS)
    first = np.flatnonzero(np.concatenate(([True], names[1:] != names[:-1])))
    rank = np.arange(names.size) - np.repeat(first, np.diff(np.append(first, names.size)))
    keys = keys[rank <= 2]
    return np.stack([(keys >> np.uint64(_TEXT_BITS)).astype(np.int64),
                     (keys & np.uint64((1 << _TEXT_BITS) - 1)).astype(np.int64)], axis=1)


def band_keys(signatures: Signatures) -> np.ndarray:
    """(texts, BANDS) int64 bucket keys: `ROWS` slots of a band hashed with the band's salt."""
    keys = np.empty((signatures.slots.shape[0], BANDS), dtype=np.uint64)
    kernels.band_keys(signatures.slots, _BAND_SALT, ROWS, keys)
    return keys.view(np.int64)


def agreement(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Share of equal slots of paired signature rows: the estimated Jaccard similarity."""
    return np.count_nonzero(a == b, axis=1) / a.shape[1]


def pair_agreement(slots: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """`agreement` of many (row, row) index pairs of one signature array."""
    same = np.empty(len(pairs), dtype=np.int64)
    kernels.equal_slots(slots, np.ascontiguousarray(pairs, dtype=np.int64), same)
    return same / slots.shape[1]


def pairs_sharing(signatures: Signatures, candidates: np.ndarray, least: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (row, row) index pairs of the sorted `candidates` (keys: first row
    << 32 | second row) whose texts share at least `least` 5-grams as their signatures
    estimate it (agreement a: a / (1 + a) of both texts' 5-grams), with their
    `agreement`."""
    pairs = np.empty((candidates.size, 2), dtype=np.int64)  # only the front is written
    same = np.empty(candidates.size, dtype=np.int64)
    found = kernels.sharing_pairs(signatures.slots, signatures.slots.astype(np.uint8),
                                  candidates, signatures.shingles, least, pairs, same)
    pairs, agree = pairs[:found], same[:found] / signatures.slots.shape[1]
    shared = agree / (1 + agree) * (signatures.shingles[pairs[:, 0]]
                                    + signatures.shingles[pairs[:, 1]])
    enough = shared >= least
    return pairs[enough], agree[enough]
