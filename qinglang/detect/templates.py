"""Template complaints (domain.md 3.2 and 4.6): near-identical texts sent in the names of
different customers, found despite slot-filled names, amounts, dates and id numbers and
despite paraphrase.

Every text is signed once (`qinglang.text.shingles`: MinHash over character 5-grams of the
slot-normalised text); texts too short to share `min_shared` 5-grams with another take no
part (short complaints about one issue coincide by chance). Candidates come from LSH
buckets: each text is paired with the first and with the previous text of every bucket it
falls in, so the work stays linear in the number of texts however large a family grows.
Then two steps:

- cores: every text joins its one most similar earlier candidate when their signatures
  agree on at least `core` of their slots;
- merges: every core joins the earlier core its first texts resemble most on average
  (at least `merge`), so no single noisy estimate decides that two groups are one.

One link out of every text or core, toward an earlier one, makes trees: a stray link moves
one text (and what hangs on it), never two whole families into one. Real scripts are often
pasted into a writer's own story, so that the two texts as wholes differ: a third kind of
link joins two texts that share at least `rare` marker grams (`qinglang.text.shingles`)
found in no other text taking part: a passage only the two share. Phrases many writers use
(quoted laws, the lines of a credit report, the usual wording of a grievance) are in more
than two texts and never make such a link.

The store side — building and storing the clusters, and matching one new complaint online
against them (`match_one`) — is `detect.template_store`.

A cluster's id is derived from its earliest complaint, so re-running or growing the store
keeps it. A cluster all of whose complaints come from one customer is not a template; the rules that
judge clusters are in `detect.template_rules`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from qinglang.text import kernels
from qinglang.text.shingles import (Signatures, band_keys, pair_agreement, pairs_sharing, sign,
                                    small_pages)

TEMPLATE_PREFIX = "TPL-"
SAMPLE = 5  # texts of a core compared with another core's


@dataclass(frozen=True)
class Clusters:
    """Per text (in the order given): index of the cluster's earliest text, or -1 when the
    text is linked to no other; index of its core's earliest text; and the best similarity
    of its links within the cluster. With them, what the store keeps for matching online:
    the (marker, text) rows of the markers found in only one or two texts taking part, and
    the (bucket key, first text, latest text) rows of every bucket of the texts taking part,
    by key."""

    root: np.ndarray
    core: np.ndarray
    similarity: np.ndarray
    rare_markers: np.ndarray
    buckets: np.ndarray


def candidate_pairs(keys: np.ndarray, signed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The candidate pairs of the signed texts, as sorted keys (later text << 32 | earlier
    text, with repeats): each text with the first and with the previous text of every
    bucket it shares; and the (bucket key, first text, latest text) rows of every bucket,
    by key."""
    members = np.flatnonzero(signed)
    pairs = np.empty(2 * members.size * keys.shape[1], dtype=np.int64)
    ends = np.empty((members.size * keys.shape[1], 3), dtype=np.int64)
    found, rows = kernels.bucket_partners(keys, members, pairs, ends)
    pairs = pairs[:found]
    pairs.sort()
    return pairs, _one_row_a_key(ends[:rows])


def _one_row_a_key(rows: np.ndarray) -> np.ndarray:
    """Bucket rows by key, a key found in several bands being one bucket (its first and its
    latest text of all)."""
    rows = rows[np.argsort(rows[:, 0], kind="stable")]
    if len(rows) and (rows[1:, 0] == rows[:-1, 0]).any():
        begins = np.flatnonzero(np.concatenate(([True], rows[1:, 0] != rows[:-1, 0])))
        rows = np.stack([rows[begins, 0], np.minimum.reduceat(rows[:, 1], begins),
                         np.maximum.reduceat(rows[:, 2], begins)], axis=1)
    return rows


@dataclass(frozen=True)
class Params:
    """`core`: estimated Jaccard similarity at which a text joins its most similar earlier
    text outright; `merge`: mean similarity at which a group joins its most similar earlier
    group; `min_shared`: shared text (in 5-grams) below which two texts never link; `rare`:
    marker grams found in only two texts that link those two (0: no such links)."""

    core: float
    merge: float
    min_shared: int
    rare: int = 0


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (a sort: numpy's hash-based unique is slower on
    millions of integers)."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if values.size else values


def best_partner(pairs: np.ndarray, score: np.ndarray, least: float
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Each later side's one best-scoring earlier side (the earliest among equals), if it
    reaches `least`. One link out of every node, toward an earlier one, makes trees: a stray
    link moves one node (and what hangs on it), it never merges two whole families."""
    keep = score >= least
    pairs, score = pairs[keep], score[keep]
    if not len(pairs):
        return pairs, score
    order = np.lexsort((pairs[:, 1], -score, pairs[:, 0]))
    pairs, score = pairs[order], score[order]
    first = np.concatenate(([True], pairs[1:, 0] != pairs[:-1, 0]))
    return pairs[first], score[first]


def _components(count: int, pairs: np.ndarray) -> np.ndarray:
    """Each node's component, named by its lowest (earliest) node."""
    graph = coo_matrix((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])),
                       shape=(count, count))
    _, component = connected_components(graph, directed=False)
    earliest = np.full(count, count, dtype=np.int64)
    np.minimum.at(earliest, component, np.arange(count))
    return earliest[component]


def long_enough(signatures: Signatures, params: Params) -> np.ndarray:
    """Texts long enough to share `min_shared` 5-grams with another: only they take part
    (and only they are kept in the bucket index)."""
    return signatures.shingles >= params.min_shared


def cluster_signatures(signatures: Signatures, keys: np.ndarray, params: Params) -> Clusters:
    """Template clusters of texts given earliest first (the two steps of the module's
    docstring)."""
    with small_pages():  # hundreds of megabytes of candidates at a million texts
        return _clusters(signatures, keys, params)


def _clusters(signatures: Signatures, keys: np.ndarray, params: Params) -> Clusters:
    count = signatures.slots.shape[0]
    candidates, buckets = candidate_pairs(keys, long_enough(signatures, params))
    pairs, agree = pairs_sharing(signatures, candidates, params.min_shared)
    del candidates
    core_links, _ = best_partner(pairs, agree, params.core)
    core = _components(count, core_links)
    groups = _hopeful_core_pairs(core, pairs, agree, params.merge)
    mean = _mean_agreement(signatures, core, groups)
    merge_links, _ = best_partner(groups, mean, params.merge)
    rare = (rare_markers(signatures.markers, long_enough(signatures, params)) if params.rare
            else signatures.markers[:0])
    rare_links = rare_pairs(rare, count, params.rare)
    root = _components(count, np.concatenate([core_links, merge_links, rare_links]))
    pairs = np.concatenate([pairs, rare_links])
    agree = np.concatenate([agree, pair_agreement(signatures.slots, rare_links)])
    within = np.where(root[pairs[:, 0]] == root[pairs[:, 1]], agree, 0)
    best = np.zeros(count)
    np.maximum.at(best, pairs[:, 0], within)
    np.maximum.at(best, pairs[:, 1], within)
    sizes = np.bincount(root, minlength=count)
    return Clusters(np.where(sizes[root] > 1, root, -1), core, best, rare, buckets)


def rare_markers(markers: np.ndarray, taking_part: np.ndarray) -> np.ndarray:
    """The (marker, text) rows of the texts taking part whose marker is in at most two of
    them (sorted by marker, then text): what the store keeps for matching online."""
    rows = markers[taking_part[markers[:, 1]]] if len(markers) else markers
    if not len(rows):
        return rows
    rows = rows[np.argsort(rows[:, 0], kind="stable")]  # merges the chunks' sorted runs
    starts = np.flatnonzero(np.concatenate(([True], rows[1:, 0] != rows[:-1, 0])))
    sizes = np.diff(np.append(starts, len(rows)))
    return rows[np.repeat(sizes <= 2, sizes)]


def rare_pairs(rows: np.ndarray, count: int, least: int) -> np.ndarray:
    """(later, earlier) pairs of the `count` texts that share at least `least` marker grams
    found in no other text, given the `rare_markers` rows."""
    if len(rows) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    two = np.flatnonzero(rows[1:, 0] == rows[:-1, 0])
    key = np.sort(rows[two + 1, 1] * count + rows[two, 1])
    starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
    shared = np.diff(np.append(starts, key.size))
    found = key[starts[shared >= least]]
    return np.stack([found // count, found % count], axis=1)


def _hopeful_core_pairs(core: np.ndarray, pairs: np.ndarray, agree: np.ndarray, least: float
                        ) -> np.ndarray:
    """(later core, earlier core) pairs with a candidate pair of texts at least `least`
    similar: only those are worth the sampled comparison."""
    later = np.maximum(core[pairs[:, 0]], core[pairs[:, 1]])
    earlier = np.minimum(core[pairs[:, 0]], core[pairs[:, 1]])
    keep = (later != earlier) & (agree >= least)
    key = _distinct(later[keep] * core.size + earlier[keep])
    return np.stack([key // core.size, key % core.size], axis=1)


def _mean_agreement(signatures: Signatures, core: np.ndarray, groups: np.ndarray
                    ) -> np.ndarray:
    """Mean similarity of the first SAMPLE texts of one core with the first SAMPLE of
    another, for each (core, core) pair: candidate pairs alone would be the most similar
    ones, a biased sample."""
    order = np.lexsort((np.arange(core.size), core))
    ordered = core[order]
    starts = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    rank = np.arange(core.size) - np.flatnonzero(starts)[np.cumsum(starts) - 1]
    first = np.full((core.size, SAMPLE), -1, dtype=np.int64)
    keep = rank < SAMPLE
    first[ordered[keep], rank[keep]] = order[keep]
    a = np.repeat(first[groups[:, 0]], SAMPLE, axis=1)
    b = np.tile(first[groups[:, 1]], (1, SAMPLE))
    valid = (a >= 0) & (b >= 0)
    row = np.broadcast_to(np.arange(len(groups))[:, None], a.shape)[valid]
    agree = pair_agreement(signatures.slots, np.stack([a[valid], b[valid]], axis=1))
    return np.bincount(row, weights=agree, minlength=len(groups)) / np.maximum(
        np.bincount(row, minlength=len(groups)), 1)


def cluster_texts(texts: list[str], params: Params) -> Clusters:
    """Template clusters of texts given earliest first (no store involved)."""
    signatures = sign(texts, params.min_shared)
    return cluster_signatures(signatures, band_keys(signatures), params)


def template_id(earliest_complaint_id: str) -> str:
    return TEMPLATE_PREFIX + earliest_complaint_id
