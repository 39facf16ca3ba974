"""The per-character, per-slot and per-pair loops of the template detector, compiled
(numba): normalising and signing texts and their band keys (`qinglang.text.shingles`), the
walk through the LSH buckets that finds candidate pairs, and the comparison of candidate
pairs (`qinglang.detect.templates`).

numpy needed a dozen passes over arrays as long as all the texts' characters (window
hashes, bins, the running minimum, densifying every row with slots left empty) or as all
the candidate pairs (a sort per band, a gathered copy of both signatures of every pair),
and the first touch of that much fresh memory cost as much system time as the work. These
loops take each character, slot and pair once, in 64-bit unsigned arithmetic (wrapping);
`tests/text/test_shingles.py` holds them to a plain reading of the definitions.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_SEPARATOR = np.uint32(1)
_EMPTY = np.uint32(0xFFFFFFFF)
_LOW32 = np.uint64(0xFFFFFFFF)
_DISTANCE_SALT = np.uint64(0x9E3779B1)


@njit(cache=True, nogil=True, inline="always")
def _mix(value: np.uint64) -> np.uint64:
    """splitmix64's finaliser: every input bit moves every output bit."""
    value ^= value >> np.uint64(30)
    value *= np.uint64(0xBF58476D1CE4E5B9)
    value ^= value >> np.uint64(27)
    value *= np.uint64(0x94D049BB133111EB)
    return value ^ (value >> np.uint64(31))


@njit(cache=True, nogil=True)
def normalise(points: np.ndarray) -> int:
    """Normalise code points in place (see `shingles.normalised_codepoints`); the number
    kept at the front of `points`."""
    kept = 0
    previous = np.uint32(0)
    for at in range(points.size):
        point = points[at]
        if 0xFF01 <= point <= 0xFF5E:  # full width
            point -= np.uint32(0xFEE0)
        if 0x41 <= point <= 0x5A:  # upper case
            point += np.uint32(0x20)
        if 0x30 <= point <= 0x39 or point == 0x2A:  # digits, and the '*' of masked ids
            point = np.uint32(0x30)
            if previous == point:
                continue
        elif not (0x4E00 <= point <= 0x9FFF or 0x3400 <= point <= 0x4DBF
                  or 0x61 <= point <= 0x7A or point == _SEPARATOR):
            continue
        points[kept] = point
        kept += 1
        previous = point
    return kept


@njit(cache=True, nogil=True)
def sign_points(points: np.ndarray, multipliers: np.ndarray, slot_shift: np.uint64,
                least: int, marker_mask: np.uint64, slots: np.ndarray, shingles: np.ndarray,
                markers: np.ndarray, text_bits: np.uint64) -> int:
    """Sign the texts of `points` (normalised code points, each text followed by the
    separator): each 5-gram's mixed hash picks slot `hash >> slot_shift` of its text's row
    of `slots` and keeps there the smallest low 32 bits; `shingles` gets each text's number of
    5-grams. A text of at least `least` (>= 1) 5-grams is densified and its marker grams
    (3-grams whose mixed hash has no bit of `marker_mask` set) are written to `markers` (as
    long as `points`) as the hash's top bits with the text's number in the low `text_bits`;
    their count is returned."""
    found = 0
    text = 0
    start = 0
    for end in range(points.size):
        if points[end] != _SEPARATOR:
            continue
        count = max(end - start - 4, 0)
        shingles[text] = count
        row = slots[text]
        for first in range(start, end - 4):
            value = _mix(np.uint64(points[first]) * multipliers[0]
                         + np.uint64(points[first + 1]) * multipliers[1]
                         + np.uint64(points[first + 2]) * multipliers[2]
                         + np.uint64(points[first + 3]) * multipliers[3]
                         + np.uint64(points[first + 4]) * multipliers[4])
            slot = value >> slot_shift
            row[slot] = min(np.uint32(value & _LOW32), row[slot])
        if count >= least:
            _densify(row)
            for first in range(start, end - 2):
                marker = _mix(np.uint64(points[first]) * multipliers[0]
                              + np.uint64(points[first + 1]) * multipliers[1]
                              + np.uint64(points[first + 2]) * multipliers[2])
                # written always, kept (counted) only when selected: no branch to mispredict
                markers[found] = ((marker >> text_bits) << text_bits) | np.uint64(text)
                found += (marker & marker_mask) == 0
        text += 1
        start = end + 1
    return found


@njit(cache=True, nogil=True, inline="always")
def _densify(row: np.ndarray) -> None:
    """Each empty slot takes the next filled slot to its right (circularly), salted by the
    distance. The row has at least one filled slot. Selections rather than branches: empty
    and filled slots alternate at random."""
    width = row.size
    first = 0
    while row[first] == _EMPTY:
        first += 1
    value = np.uint64(row[first])
    at = first + width
    for slot in range(width - 1, -1, -1):
        held = row[slot]
        empty = held == _EMPTY
        salted = np.uint32(value ^ ((np.uint64(at - slot) * _DISTANCE_SALT) & _LOW32))
        row[slot] = salted if empty else held
        value = value if empty else np.uint64(held)
        at = at if empty else slot


@njit(cache=True, nogil=True)
def band_keys(slots: np.ndarray, salts: np.ndarray, rows: int, out: np.ndarray) -> None:
    """out[text, band]: the band's salt mixed with each of its `rows` slots in turn (the
    bands take the first slots of each row)."""
    for text in range(slots.shape[0]):
        for band in range(salts.size):
            key = salts[band]
            for row in range(rows):
                key = _mix(key ^ np.uint64(slots[text, band * rows + row]))
            out[text, band] = key


@njit(cache=True, nogil=True)
def equal_slots(slots: np.ndarray, pairs: np.ndarray, out: np.ndarray) -> None:
    """out[k]: the number of equal slots of rows pairs[k, 0] and pairs[k, 1]."""
    width = slots.shape[1]
    for k in range(pairs.shape[0]):
        a, b = pairs[k, 0], pairs[k, 1]
        same = 0
        for slot in range(width):
            same += slots[a, slot] == slots[b, slot]
        out[k] = same



@njit(cache=True, nogil=True)
def bucket_partners(keys: np.ndarray, members: np.ndarray, pairs: np.ndarray,
                    ends: np.ndarray) -> tuple[int, int]:
    """Walk the `members` (text numbers, earliest first) through the buckets of each band
    (`keys[text, band]`, well-mixed hashes), keeping each bucket's first and latest text in a
    hash table: each text is paired with the first and with the latest earlier text of every
    bucket it falls in, written to `pairs` as (text << 32 | earlier text); each band's buckets
    then go to `ends` as (key, first text, latest text) rows. `pairs` and `ends` must hold
    2 and 1 rows per member and band; the numbers written are returned."""
    size = 1
    while size < 2 * members.size:
        size *= 2
    mask = np.uint64(size - 1)
    held = np.empty(size, dtype=np.int64)
    first = np.empty(size, dtype=np.int64)
    latest = np.empty(size, dtype=np.int64)
    used = np.empty(size, dtype=np.bool_)
    found = 0
    rows = 0
    for band in range(keys.shape[1]):
        used[:] = False
        for text in members:
            key = keys[text, band]
            slot = np.uint64(key) & mask
            while used[slot] and held[slot] != key:
                slot = (slot + np.uint64(1)) & mask
            if used[slot]:
                pairs[found] = (text << 32) | first[slot]
                found += 1
                if latest[slot] != first[slot]:
                    pairs[found] = (text << 32) | latest[slot]
                    found += 1
                latest[slot] = text
            else:
                used[slot] = True
                held[slot] = key
                first[slot] = text
                latest[slot] = text
        for slot in range(size):
            if used[slot]:
                ends[rows, 0] = held[slot]
                ends[rows, 1] = first[slot]
                ends[rows, 2] = latest[slot]
                rows += 1
    return found, rows


@njit(cache=True, nogil=True)
def sharing_pairs(slots: np.ndarray, prints: np.ndarray, keys: np.ndarray,
                  shingles: np.ndarray, least: int, pairs: np.ndarray, same: np.ndarray) -> int:
    """The distinct pairs of the sorted pair `keys` (later << 32 | earlier) whose texts may
    share `least` 5-grams, with their numbers of equal slots, written to `pairs` and `same`;
    how many. A pair is left out when the slots' low bytes (`prints`) already show that the
    two cannot: equal slots have equal low bytes, so the count of equal low bytes bounds the
    count of equal slots from above, and the estimate of shared 5-grams (agreement a:
    a / (1 + a) of both texts' 5-grams, computed as `shingles.pairs_sharing` does) only
    grows with it. Most candidate pairs are such, and low bytes are a quarter of the memory
    to read."""
    width = slots.shape[1]
    found = 0
    for k in range(keys.size):
        if k and keys[k] == keys[k - 1]:
            continue
        a, b = keys[k] >> 32, keys[k] & 0xFFFFFFFF
        bound = 0
        for slot in range(width):
            bound += prints[a, slot] == prints[b, slot]
        agree = bound / width
        if agree / (1 + agree) * (shingles[a] + shingles[b]) < least:
            continue
        count = 0
        for slot in range(width):
            count += slots[a, slot] == slots[b, slot]
        pairs[found, 0] = a
        pairs[found, 1] = b
        same[found] = count
        found += 1
    return found
