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

Everything is vectorised over one array of code points holding all texts, so signing
scales with characters, not with Python calls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SHINGLE = 5
MARKER = 3
MARKER_EVERY = 2
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
    the (marker, text index) rows of the distinct marker grams of each text, in text order
    (sorted by marker within each signed chunk)."""

    slots: np.ndarray
    shingles: np.ndarray
    markers: np.ndarray


def normalised_codepoints(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(code points of all normalised texts, each followed by a separator; text index of
    each code point)."""
    joined = "\x01".join(texts) + "\x01"
    points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).copy()
    full_width = (points >= 0xFF01) & (points <= 0xFF5E)
    points[full_width] -= 0xFEE0
    upper = (points >= 0x41) & (points <= 0x5A)
    points[upper] += 0x20
    digit = ((points >= 0x30) & (points <= 0x39)) | (points == 0x2A)  # '*' of masked ids
    points[digit] = 0x30
    cjk = ((points >= 0x4E00) & (points <= 0x9FFF)) | ((points >= 0x3400) & (points <= 0x4DBF))
    letter = (points >= 0x61) & (points <= 0x7A)
    points = points[cjk | letter | digit | (points == _SEPARATOR)]
    repeat_digit = np.zeros(points.size, dtype=bool)
    repeat_digit[1:] = (points[1:] == 0x30) & (points[:-1] == 0x30)
    points = points[~repeat_digit]
    separators = points == _SEPARATOR
    owner = np.cumsum(separators) - separators
    return points, owner


def sign(texts: list[str], least: int = 1, chunk: int = 20_000) -> Signatures:
    """MinHash signatures (one-permutation hashing) of many texts, densified for the texts
    of at least `least` shingles (the others keep empty slots: they are not compared),
    signed `chunk` texts at a time so the working arrays stay in cache-friendly sizes."""
    chunk = min(chunk, 1 << _TEXT_BITS)
    parts = [_sign_chunk(texts[start:start + chunk], least)
             for start in range(0, len(texts), chunk)]
    if not parts:
        return Signatures(np.full((0, SLOTS), EMPTY, dtype=np.uint32), np.zeros(0, np.int64),
                          np.zeros((0, 2), np.int64))
    starts = np.cumsum([0] + [len(p.shingles) for p in parts[:-1]])
    return Signatures(np.concatenate([p.slots for p in parts]),
                      np.concatenate([p.shingles for p in parts]),
                      np.concatenate([p.markers + [0, start] for p, start in zip(parts, starts)]))


def _sign_chunk(texts: list[str], least: int) -> Signatures:
    count = len(texts)
    slots = np.full((count, SLOTS), EMPTY, dtype=np.uint32)
    points, owner = normalised_codepoints(texts)
    markers = _marker_grams(points, owner)
    hashes, starts = _shingle_hashes(points)
    docs = owner[starts]
    shingles = np.bincount(docs, minlength=count).astype(np.int64)
    bins = (hashes >> np.uint64(64 - SLOT_BITS)).astype(np.int64)
    values = (hashes & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    np.minimum.at(slots.reshape(-1), docs * SLOTS + bins, values)
    _densify(slots, shingles >= max(least, 1))
    return Signatures(slots, shingles, markers)


def _marker_grams(points: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Distinct (marker, text index) rows, sorted: the 3-grams whose hash falls in bin 0 of
    MARKER_EVERY, each named by the hash's top 48 bits (the low 16 bits carry the text index
    while sorting, so one sort of plain integers dedupes them)."""
    hashes, starts = _shingle_hashes(points, MARKER)
    marker = hashes % np.uint64(MARKER_EVERY) == 0
    keys = (hashes[marker] >> np.uint64(_TEXT_BITS)) << np.uint64(_TEXT_BITS)
    keys = np.sort(keys | owner[starts[marker]].astype(np.uint64))
    keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if keys.size else keys
    return np.stack([(keys >> np.uint64(_TEXT_BITS)).astype(np.int64),
                     (keys & np.uint64((1 << _TEXT_BITS) - 1)).astype(np.int64)], axis=1)


def _shingle_hashes(points: np.ndarray, size: int = SHINGLE) -> tuple[np.ndarray, np.ndarray]:
    """Mixed 64-bit hashes of every window of `size` code points inside one text, and the
    window starts."""
    windows = points.size - size + 1
    if windows <= 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    separators = np.concatenate(([0], np.cumsum(points == _SEPARATOR)))
    starts = np.flatnonzero(separators[size:] == separators[:windows])
    wide = points.astype(np.uint64)
    hashes = wide[:windows] * _POSITION_MULTIPLIERS[0]
    for offset in range(1, size):
        hashes += wide[offset:offset + windows] * _POSITION_MULTIPLIERS[offset]
    return _mix(hashes[starts]), starts


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit moves every output bit."""
    values = values ^ (values >> np.uint64(30))
    values = values * np.uint64(0xBF58476D1CE4E5B9)
    values = values ^ (values >> np.uint64(27))
    values = values * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def _densify(slots: np.ndarray, signed: np.ndarray) -> None:
    """Fill each empty bin of a signed text from the next non-empty bin to its right
    (circularly), salted by the distance, so short texts still compare slot by slot."""
    rows = np.flatnonzero(signed & (slots == EMPTY).any(axis=1))
    if not rows.size:
        return
    block = slots[rows]
    filled = np.concatenate([block, block], axis=1) != EMPTY
    position = np.where(filled, np.arange(2 * SLOTS, dtype=np.int16), np.int16(2 * SLOTS))
    nearest = np.minimum.accumulate(position[:, ::-1], axis=1)[:, ::-1][:, :SLOTS]
    source = block[np.arange(rows.size)[:, None], nearest % SLOTS]
    distance = (nearest - np.arange(SLOTS, dtype=np.int16)).astype(np.uint32)
    salted = source ^ (distance * np.uint32(0x9E3779B1))
    slots[rows] = np.where(block == EMPTY, salted, block)


def band_keys(signatures: Signatures) -> np.ndarray:
    """(texts, BANDS) int64 bucket keys: `ROWS` slots of a band hashed with the band's salt."""
    grouped = signatures.slots[:, :BANDS * ROWS].reshape(-1, BANDS, ROWS).astype(np.uint64)
    keys = np.broadcast_to(_BAND_SALT, grouped.shape[:2])
    for row in range(ROWS):
        keys = _mix(keys ^ grouped[:, :, row])
    return keys.view(np.int64)


def agreement(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Share of equal slots of paired signature rows: the estimated Jaccard similarity."""
    return np.count_nonzero(a == b, axis=1) / a.shape[1]


def pair_agreement(slots: np.ndarray, pairs: np.ndarray, chunk: int = 100_000) -> np.ndarray:
    """`agreement` of many (row, row) index pairs of one signature array, a slice of pairs
    at a time so the gathered rows stay small."""
    out = np.empty(len(pairs))
    for start in range(0, len(pairs), chunk):
        part = pairs[start:start + chunk]
        out[start:start + chunk] = agreement(slots[part[:, 0]], slots[part[:, 1]])
    return out
