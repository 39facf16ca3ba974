"""Speakers behind the calls: voiceprint ids joined by their embedding vectors (rule 1.5).

A call centre's voice system gives each enrolled voice an id, but one agent is enrolled
again under a new id from another line, and calls from unenrolled voices carry only an
embedding. So every voice key — a voiceprint id, or `call:<id>` for a call with a vector and
no id — gets the mean direction of its calls' vectors, and keys whose directions are within
a cosine threshold are one speaker. Candidates come from random-hyperplane LSH (each band
a 20-bit sign pattern; calls of one speaker, about 0.95 apart, share a band with
probability above 0.95 over 24 bands) and every candidate pair is checked exactly, so no
pair below the threshold is ever joined. A speaker's id is its smallest voice key, stable
as the store grows.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sqlalchemy import Connection, func, literal, select
from sqlalchemy.sql import ColumnElement

from qinglang.detect.base import built_once, calls
from qinglang.store.repository import execute_prepared, prepare_columns, rows_replaced
from qinglang.store.tables import voice_speakers

BANDS, BITS = 24, 20
SEED = 20261121  # fixed hyperplanes: the same store always gives the same speakers


@built_once
def voice_key_of_call() -> ColumnElement[str]:
    """A call's voice key: its voiceprint id, or `call:<call id>` when it has only a vector."""
    return func.coalesce(calls.c.voiceprint_id, literal("call:") + calls.c.call_id)


def speakers(keys: list[str], directions: np.ndarray, min_cosine: float) -> dict[str, str]:
    """voice key → speaker id, for unit-length `directions` (one row per key)."""
    if not keys:
        return {}
    pairs = _close_pairs(directions, _candidate_pairs(directions), min_cosine)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])),
                       shape=(len(keys), len(keys)))
    _, labels = connected_components(graph, directed=False)
    first: dict[int, str] = {}
    for key, label in zip(keys, labels):
        if label not in first or key < first[label]:
            first[label] = key
    return {key: first[label] for key, label in zip(keys, labels)}


CHUNK = 1 << 16  # rows per matrix product: bounds memory at a million voices


def _candidate_pairs(directions: np.ndarray) -> np.ndarray:
    """(i, j), i < j, of keys next to each other in some band's sort order of sign codes
    (ties in key order). Each band sorts code and key index packed in one integer: a plain
    sort of distinct values, several times faster than a stable argsort of the codes."""
    n = len(directions)
    codes = _band_codes(directions)
    shift = max(1, n.bit_length())
    index = np.arange(n, dtype=np.int64)
    found = []
    for band in range(BANDS):
        packed = np.sort((codes[:, band] << shift) | index)
        order = packed & ((1 << shift) - 1)
        same = np.flatnonzero(np.diff(packed >> shift) == 0)
        first, second = order[same], order[same + 1]
        found.append(np.minimum(first, second) * n + np.maximum(first, second))
    pairs = _sorted_distinct(np.concatenate(found))
    return np.stack([pairs // n, pairs % n], axis=1)


def _band_codes(directions: np.ndarray) -> np.ndarray:
    """Each key's BITS-bit sign pattern in each band, from fixed random hyperplanes."""
    planes = np.random.default_rng(SEED).standard_normal(
        (directions.shape[1], BANDS * BITS)).astype(np.float32)
    weights = np.left_shift(1, np.arange(BITS, dtype=np.int64))
    codes = np.empty((len(directions), BANDS), dtype=np.int64)
    for start in range(0, len(directions), CHUNK):
        signs = (directions[start:start + CHUNK] @ planes > 0).reshape(-1, BANDS, BITS)
        codes[start:start + CHUNK] = signs.astype(np.int64) @ weights
    return codes


def _close_pairs(directions: np.ndarray, pairs: np.ndarray, min_cosine: float) -> np.ndarray:
    keep = np.zeros(len(pairs), dtype=bool)
    for start in range(0, len(pairs), CHUNK):
        chunk = pairs[start:start + CHUNK]
        keep[start:start + CHUNK] = np.einsum(
            "ij,ij->i", directions[chunk[:, 0]], directions[chunk[:, 1]]) >= min_cosine
    return pairs[keep]


def _sorted_distinct(values: np.ndarray) -> np.ndarray:
    """np.unique by sorting: numpy's hash-based unique is many times slower on large arrays."""
    values = np.sort(values)
    return values[np.concatenate([[True], values[1:] != values[:-1]])] if len(values) else values


def refresh_voice_speakers(conn: Connection, org: str, min_cosine: float) -> None:
    """Store voice key → speaker for every stored call with a voiceprint (batch analysis;
    online scoring reads what the last analysis stored). Embeddings of different lengths
    come from different voice systems and are never compared: each length is read on its
    own, whole (a million calls' vectors are read in one fetch, not row by row)."""
    of_org = calls.c.org == org
    key = voice_key_of_call()
    mapping = {k: k for k in conn.execute(select(key).distinct().where(
        of_org, calls.c.voiceprint.is_(None), calls.c.voiceprint_id.is_not(None))).scalars()}
    length = func.length(calls.c.voiceprint)
    for size in conn.execute(select(length).distinct().where(
            of_org, calls.c.voiceprint.is_not(None))).scalars().all():
        embedded = conn.execute(select(key, calls.c.voiceprint).where(of_org, length == size)
                                ).all()
        keys, directions = _mean_directions(embedded)
        mapping.update(speakers(keys, directions, min_cosine))
    keys = sorted(mapping)
    with rows_replaced(conn, voice_speakers, org):
        for start in range(0, len(keys), 20_000):
            page = keys[start:start + 20_000]
            execute_prepared(conn, prepare_columns(
                conn.dialect, voice_speakers,
                {"voice_key": page, "speaker_id": list(map(mapping.__getitem__, page))},
                {"org": org}, len(page)))


def _mean_directions(embedded: list[tuple[str, bytes]]) -> tuple[list[str], np.ndarray]:
    """Each voice key's mean direction over its calls' unit vectors, keys sorted."""
    call_keys, blobs = zip(*embedded)
    vectors = np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(embedded), -1)
    first_seen: dict[str, int] = {}
    seen_as = np.fromiter((first_seen.setdefault(k, len(first_seen)) for k in call_keys),
                          dtype=np.int64, count=len(call_keys))
    keys = sorted(first_seen)
    rank = np.empty(len(keys), dtype=np.int64)
    rank[[first_seen[k] for k in keys]] = np.arange(len(keys))
    of_call = rank[seen_as]
    directions = _unit(vectors.astype(np.float64))
    order = np.argsort(of_call, kind="stable")
    firsts = np.nonzero(np.diff(of_call[order], prepend=-1))[0]
    return keys, _unit(np.add.reduceat(directions[order], firsts, axis=0)).astype(np.float32)


def _unit(rows: np.ndarray) -> np.ndarray:
    lengths = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(lengths == 0, 1, lengths)
