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

from collections import defaultdict

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sqlalchemy import Connection, delete, func, insert, literal, select
from sqlalchemy.sql import ColumnElement

from qinglang.detect.base import calls
from qinglang.store.tables import voice_speakers

BANDS, BITS = 24, 20
SEED = 20261121  # fixed hyperplanes: the same store always gives the same speakers



def voice_key(voiceprint_id: str | None, call_id: str) -> str:
    return voiceprint_id or f"call:{call_id}"


def voice_key_of_call() -> ColumnElement[str]:
    """`voice_key` in SQL, for joining calls to their speakers."""
    return func.coalesce(calls.c.voiceprint_id, literal("call:") + calls.c.call_id)


def speakers(keys: list[str], directions: np.ndarray, min_cosine: float) -> dict[str, str]:
    """voice key → speaker id, for unit-length `directions` (one row per key)."""
    if not keys:
        return {}
    pairs = _candidate_pairs(directions)
    if len(pairs):
        close = np.einsum("ij,ij->i", directions[pairs[:, 0]], directions[pairs[:, 1]])
        pairs = pairs[close >= min_cosine]
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])),
                       shape=(len(keys), len(keys))) if len(pairs) else \
        coo_matrix((len(keys), len(keys)))
    _, labels = connected_components(graph, directed=False)
    first: dict[int, str] = {}
    for key, label in zip(keys, labels):
        if label not in first or key < first[label]:
            first[label] = key
    return {key: first[label] for key, label in zip(keys, labels)}


def _candidate_pairs(directions: np.ndarray) -> np.ndarray:
    planes = np.random.default_rng(SEED).standard_normal(
        (directions.shape[1], BANDS * BITS)).astype(np.float32)
    signs = (directions @ planes > 0).reshape(len(directions), BANDS, BITS)
    codes = signs.astype(np.int64) @ (1 << np.arange(BITS, dtype=np.int64))
    found = []
    for band in range(BANDS):
        order = np.argsort(codes[:, band], kind="stable")
        sorted_codes = codes[order, band]
        same = np.nonzero(sorted_codes[1:] == sorted_codes[:-1])[0]
        found.append(np.stack([order[same], order[same + 1]], axis=1))
    return np.unique(np.concatenate(found), axis=0)


def refresh_voice_speakers(conn: Connection, org: str, min_cosine: float) -> None:
    """Store voice key → speaker for every stored call with a voiceprint (batch analysis;
    online scoring reads what the last analysis stored)."""
    sums: dict[str, np.ndarray] = {}
    counts: dict[str, int] = defaultdict(int)
    query = select(calls.c.call_id, calls.c.voiceprint_id, calls.c.voiceprint).where(
        calls.c.org == org, calls.c.voiceprint.is_not(None) | calls.c.voiceprint_id.is_not(None))
    plain_ids = set()
    for call_id, voiceprint_id, vector in conn.execute(query):
        key = voice_key(voiceprint_id, call_id)
        if vector is None:
            plain_ids.add(key)
            continue
        direction = np.frombuffer(vector, dtype="<f4")
        direction = direction / (np.linalg.norm(direction) or 1.0)
        sums[key] = sums[key] + direction if key in sums else direction.copy()
        counts[key] += 1
    keys = sorted(sums)
    mapping = {key: key for key in plain_ids}
    if keys:
        means = np.stack([sums[k] for k in keys])
        lengths = np.linalg.norm(means, axis=1, keepdims=True)
        mapping.update(speakers(keys, means / np.where(lengths == 0, 1, lengths), min_cosine))
    conn.execute(delete(voice_speakers).where(voice_speakers.c.org == org))
    rows = [{"org": org, "voice_key": k, "speaker_id": v} for k, v in sorted(mapping.items())]
    for start in range(0, len(rows), 20_000):
        conn.execute(insert(voice_speakers), rows[start:start + 20_000])
