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
one text (and what hangs on it), never two whole families into one. A new complaint online
(`match_one`) takes the same steps against the stored bucket index, as the latest text.

A cluster's id is derived from its earliest complaint, so re-running or growing the store
keeps it. A cluster all of whose complaints come from one customer is not a template; the rules that
judge clusters are in `detect.template_rules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Iterator

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sqlalchemy import Connection, Engine, and_, delete, func, insert, select

from qinglang.detect.base import complaints
from qinglang.rules.schema import RuleSet, default_ruleset
from qinglang.store.tables_templates import complaint_templates, complaint_text_buckets
from qinglang.text.shingles import (SHINGLE, Signatures, agreement, band_keys, pair_agreement,
                                    sign)

TEMPLATE_PREFIX = "TPL-"
SAMPLE = 5  # texts of a core compared with another core's


@dataclass(frozen=True)
class Clusters:
    """Per text (in the order given): index of the cluster's earliest text, or -1 when the
    text is linked to no other; index of its core's earliest text; and the best similarity
    of its links within the cluster."""

    root: np.ndarray
    core: np.ndarray
    similarity: np.ndarray


def leader_pairs(keys: np.ndarray, signed: np.ndarray) -> np.ndarray:
    """(text, earlier text) index pairs: each signed text with the first and with the
    previous text of every bucket it shares. Texts are given earliest first."""
    found = [np.zeros((0, 2), dtype=np.int64)]
    members = np.flatnonzero(signed)
    for band in range(keys.shape[1] if members.size > 1 else 0):
        column = keys[members, band]
        order = np.argsort(column, kind="stable")
        ordered = column[order]
        starts = np.concatenate(([True], ordered[1:] != ordered[:-1]))
        member = members[order]
        leader = member[np.flatnonzero(starts)[np.cumsum(starts) - 1]]
        linked = member != leader
        found.append(np.stack([member[linked], leader[linked]], axis=1))
        previous = np.flatnonzero(~starts)
        found.append(np.stack([member[previous], member[previous - 1]], axis=1))
    pairs = np.concatenate(found)
    unique = _distinct(pairs[:, 0] * keys.shape[0] + pairs[:, 1])
    return np.stack([unique // keys.shape[0], unique % keys.shape[0]], axis=1)


@dataclass(frozen=True)
class Params:
    """`core`: estimated Jaccard similarity at which a text joins its most similar earlier
    text outright; `merge`: mean similarity at which a group joins its most similar earlier
    group; `min_shared`: shared text (in 5-grams) below which two texts never link."""

    core: float
    merge: float
    min_shared: int


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
    count = signatures.slots.shape[0]
    pairs = leader_pairs(keys, long_enough(signatures, params))
    agree = pair_agreement(signatures.slots, pairs)
    shared = agree / (1 + agree) * (signatures.shingles[pairs[:, 0]]
                                    + signatures.shingles[pairs[:, 1]])
    enough = shared >= params.min_shared
    pairs, agree = pairs[enough], agree[enough]
    core_links, _ = best_partner(pairs, agree, params.core)
    core = _components(count, core_links)
    groups = _hopeful_core_pairs(core, pairs, agree, params.merge)
    mean = _mean_agreement(signatures, core, groups)
    merge_links, _ = best_partner(groups, mean, params.merge)
    root = _components(count, np.concatenate([core_links, merge_links]))
    within = np.where(root[pairs[:, 0]] == root[pairs[:, 1]], agree, 0)
    best = np.zeros(count)
    np.maximum.at(best, pairs[:, 0], within)
    np.maximum.at(best, pairs[:, 1], within)
    sizes = np.bincount(root, minlength=count)
    return Clusters(np.where(sizes[root] > 1, root, -1), core, best)


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


# The store: batch build ------------------------------------------------------------------

PAGE = 20_000


def params_of(rules: RuleSet) -> Params:
    return Params(core=rules.param("3.2", "core_similarity"),
                  merge=rules.param("3.2", "similarity"),
                  min_shared=rules.param("3.2", "min_shared_shingles"))


def build_template_clusters(engine: Engine, org: str, rules: RuleSet | None = None) -> int:
    """Sign every complaint text of `org`, cluster them and store the buckets and clusters;
    the number of complaints in clusters."""
    with engine.begin() as conn:
        return cluster_templates(conn, org, params_of(rules or default_ruleset()))


def cluster_templates(conn: Connection, org: str, params: Params) -> int:
    """`build_template_clusters` inside the caller's transaction. Texts shorter than
    `min_shared` 5-grams can take no part and are not even read."""
    rows = conn.execute(select(complaints.c.received_at, complaints.c.complaint_id,
                               complaints.c.text)
                        .where(complaints.c.org == org, func.length(complaints.c.text)
                               >= params.min_shared + SHINGLE - 1)).all()
    rows.sort(key=lambda r: (r[0], r[1]))  # earliest first; cheaper here than in SQL
    ids = [r[1] for r in rows]
    signatures = sign([r[2] for r in rows], params.min_shared)
    del rows
    keys = band_keys(signatures)
    clusters = cluster_signatures(signatures, keys, params)
    conn.execute(delete(complaint_text_buckets).where(complaint_text_buckets.c.org == org))
    conn.execute(delete(complaint_templates).where(complaint_templates.c.org == org))
    _insert_pages(conn, complaint_text_buckets, (
        {"org": org, "bucket": bucket, "complaint_id": ids[first], "latest_id": ids[last]}
        for bucket, first, last in _bucket_ends(keys, long_enough(signatures, params))))
    members = np.flatnonzero(clusters.root >= 0)
    _insert_pages(conn, complaint_templates, (
        {"org": org, "complaint_id": ids[d], "template_id": template_id(ids[clusters.root[d]]),
         "core_id": ids[clusters.core[d]], "similarity": round(float(clusters.similarity[d]), 3)}
        for d in members.tolist()))
    return int(members.size)


def _bucket_ends(keys: np.ndarray, indexed: np.ndarray) -> Iterator[tuple[int, int, int]]:
    """(bucket key, index of its first text, index of its latest text) of every bucket of
    the indexed texts."""
    texts = np.flatnonzero(indexed)
    flat = keys[texts].ravel()
    unique, first = np.unique(flat, return_index=True)
    _, last = np.unique(flat[::-1], return_index=True)
    bands = keys.shape[1]
    return zip(unique.tolist(), texts[first // bands].tolist(),
               texts[(flat.size - 1 - last) // bands].tolist())


def _insert_pages(conn: Connection, table, rows: Iterable[dict]) -> None:
    page = []
    for row in rows:
        page.append(row)
        if len(page) == PAGE:
            conn.execute(insert(table), page)
            page = []
    if page:
        conn.execute(insert(table), page)


# The store: one new complaint ------------------------------------------------------------

@dataclass(frozen=True)
class TemplateMatch:
    """The template cluster one new text joins (None: none) and the stored complaints it was
    matched with."""

    template_id: str | None
    matched: tuple[str, ...]
    similarity: float


def match_one(conn: Connection, org: str, text: str, customer_id: str | None = None,
              received_at: datetime | None = None, rules: RuleSet | None = None
              ) -> TemplateMatch:
    """The cluster a new complaint's text joins, decided as the batch decides it for a text
    later than every stored one: its most similar candidate (the first and the latest text
    of each of its buckets) if close enough, else the stored core its candidates resemble
    most on average. One indexed lookup and the signing of a few texts: milliseconds."""
    params = params_of(rules or default_ruleset())
    mine = sign([text], params.min_shared)
    if not long_enough(mine, params)[0]:
        return TemplateMatch(None, (), 0.0)
    buckets = [int(k) for k in band_keys(mine)[0]]
    leaders = sorted({i for r in conn.execute(
        select(complaint_text_buckets.c.complaint_id, complaint_text_buckets.c.latest_id)
        .where(complaint_text_buckets.c.org == org,
               complaint_text_buckets.c.bucket.in_(buckets))) for i in r})
    if not leaders:
        return TemplateMatch(None, (), 0.0)
    found = conn.execute(
        select(complaints.c.complaint_id, complaints.c.text, complaints.c.received_at,
               complaint_templates.c.template_id, complaint_templates.c.core_id)
        .outerjoin(complaint_templates,
                   and_(complaint_templates.c.org == complaints.c.org,
                        complaint_templates.c.complaint_id == complaints.c.complaint_id))
        .where(complaints.c.org == org, complaints.c.complaint_id.in_(leaders))).all()
    found.sort(key=lambda r: (r.received_at, r.complaint_id))
    theirs = sign([r.text or "" for r in found], params.min_shared)
    agree = agreement(np.repeat(mine.slots, len(found), axis=0), theirs.slots)
    shared = agree / (1 + agree) * (mine.shingles[0] + theirs.shingles)
    close = [(a, r) for a, s, r in zip(agree.tolist(), shared.tolist(), found)
             if s >= params.min_shared]
    if not close:
        return TemplateMatch(None, (), 0.0)
    best, leader = max(close, key=lambda ar: ar[0])  # max keeps the earliest among equals
    if best >= params.core:
        return TemplateMatch(leader.template_id or template_id(leader.complaint_id),
                             (leader.complaint_id,), round(best, 3))
    hopeful = {r.core_id or r.complaint_id: r for a, r in close if a >= params.merge}
    samples = [_core_sample(conn, org, core, alone) for core, alone in hopeful.items()]
    if not samples:
        return TemplateMatch(None, (), 0.0)
    samples.sort(key=lambda rows: (rows[0].received_at, rows[0].complaint_id))
    theirs = sign([r.text or "" for rows in samples for r in rows], params.min_shared)
    agree = agreement(np.repeat(mine.slots, len(theirs.slots), axis=0), theirs.slots).tolist()
    means, at = [], 0
    for rows in samples:
        means.append(sum(agree[at:at + len(rows)]) / len(rows))
        at += len(rows)
    mean, rows = max(zip(means, samples), key=lambda mr: mr[0])  # earliest among equals
    if mean < params.merge:
        return TemplateMatch(None, (), 0.0)
    return TemplateMatch(rows[0].template_id or template_id(rows[0].complaint_id),
                         tuple(r.complaint_id for r in rows), round(mean, 3))


def _core_sample(conn: Connection, org: str, core: str, alone) -> list:
    """The first SAMPLE texts of a stored core (a text in no cluster is a core alone)."""
    rows = conn.execute(
        clustered(complaints.c.complaint_id, complaints.c.text, complaints.c.received_at,
                   complaint_templates.c.template_id)
        .where(complaint_templates.c.org == org, complaint_templates.c.core_id == core)
        .order_by(complaints.c.received_at, complaints.c.complaint_id).limit(SAMPLE)).all()
    return rows or [alone]


def clustered(*columns):
    """`columns` of the clustered complaints (complaint_templates joined to complaints)."""
    return select(*columns).select_from(complaint_templates.join(complaints, and_(
        complaints.c.org == complaint_templates.c.org,
        complaints.c.complaint_id == complaint_templates.c.complaint_id)))
