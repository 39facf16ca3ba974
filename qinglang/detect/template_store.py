"""The template detector's store side: signing every stored complaint text, clustering them
(`detect.templates`) and storing the bucket index, the rare marker grams and the clusters;
and a new complaint online (`match_one`), taking the same steps against the stored bucket
index and the stored marker grams that only one or two texts have, as the latest text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Iterator

import numpy as np
from sqlalchemy import Connection, Engine, and_, delete, func, select

from qinglang.detect.base import complaints
from qinglang.detect.templates import (SAMPLE, Params, cluster_signatures, long_enough,
                                       template_id)
from qinglang.rules.schema import RuleSet, default_ruleset
from qinglang.store.tables_templates import (complaint_rare_markers, complaint_templates,
                                             complaint_text_buckets)
from qinglang.text.shingles import SHINGLE, Signatures, agreement, band_keys, sign

# The store: batch build ------------------------------------------------------------------

PAGE = 20_000


def params_of(rules: RuleSet) -> Params:
    return Params(core=rules.param("3.2", "core_similarity"),
                  merge=rules.param("3.2", "similarity"),
                  min_shared=rules.param("3.2", "min_shared_shingles"),
                  rare=rules.rule("3.2").params.get("rare_shared_markers", 0))


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
    for table in (complaint_text_buckets, complaint_templates, complaint_rare_markers):
        conn.execute(delete(table).where(table.c.org == org))
    _insert_pages(conn, complaint_text_buckets, (
        (org, bucket, ids[first], ids[last])
        for bucket, first, last in _bucket_ends(keys, long_enough(signatures, params))))
    _insert_pages(conn, complaint_rare_markers, (
        (org, marker, ids[text]) for marker, text in clusters.rare_markers.tolist()))
    members = np.flatnonzero(clusters.root >= 0)
    _insert_pages(conn, complaint_templates, (
        (org, ids[d], template_id(ids[clusters.root[d]]), ids[clusters.core[d]],
         round(float(clusters.similarity[d]), 3))
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


def _insert_pages(conn: Connection, table, rows: Iterable[tuple]) -> None:
    """Rows (tuples in the table's column order) inserted a page at a time through the
    driver's executemany: SQLAlchemy's handling of each row's parameters took longer than
    the writing itself (a million bucket rows at a million complaints)."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {table.name} ({', '.join(c.name for c in table.columns)}) "
           f"VALUES ({', '.join([mark] * len(table.columns))})")
    page = []
    for row in rows:
        page.append(row)
        if len(page) == PAGE:
            conn.exec_driver_sql(sql, page)
            page = []
    if page:
        conn.exec_driver_sql(sql, page)


# The store: one new complaint ------------------------------------------------------------

@dataclass(frozen=True)
class TemplateMatch:
    """The template cluster one new text joins (None: none) and the stored complaints it was
    matched with."""

    template_id: str | None
    matched: tuple[str, ...]
    similarity: float


def match_one(conn: Connection, org: str, text: str, customer_id: str | None = None,
              received_at: datetime | None = None, rules: RuleSet | None = None,
              complaint_id: str | None = None) -> TemplateMatch:
    """The cluster a new complaint's text joins, decided as the batch decides it for a text
    later than every stored one: its most similar candidate (the first and the latest text
    of each of its buckets) if close enough, else the stored core its candidates resemble
    most on average; failing both, the one stored text it shares a passage with that no
    other text has. `complaint_id` names the complaint when it is itself stored (re-scored):
    it is not its own partner. One indexed lookup per step and the signing of a few texts:
    milliseconds."""
    params = params_of(rules or default_ruleset())
    mine = sign([text], params.min_shared)
    if not long_enough(mine, params)[0]:
        return TemplateMatch(None, (), 0.0)
    return (_similar_match(conn, org, mine, params)
            or _rare_partner_match(conn, org, mine, params, complaint_id)
            or TemplateMatch(None, (), 0.0))


def _similar_match(conn: Connection, org: str, mine: Signatures, params: Params
                   ) -> TemplateMatch | None:
    """The core and merge steps of the batch for one text against the bucket index."""
    buckets = [int(k) for k in band_keys(mine)[0]]
    leaders = sorted({i for r in conn.execute(
        select(complaint_text_buckets.c.complaint_id, complaint_text_buckets.c.latest_id)
        .where(complaint_text_buckets.c.org == org,
               complaint_text_buckets.c.bucket.in_(buckets))) for i in r})
    if not leaders:
        return None
    found = _with_templates(conn, org, leaders)
    theirs = sign([r.text or "" for r in found], params.min_shared)
    agree = agreement(np.repeat(mine.slots, len(found), axis=0), theirs.slots)
    shared = agree / (1 + agree) * (mine.shingles[0] + theirs.shingles)
    close = [(a, r) for a, s, r in zip(agree.tolist(), shared.tolist(), found)
             if s >= params.min_shared]
    if not close:
        return None
    best, leader = max(close, key=lambda ar: ar[0])  # max keeps the earliest among equals
    if best >= params.core:
        return TemplateMatch(leader.template_id or template_id(leader.complaint_id),
                             (leader.complaint_id,), round(best, 3))
    hopeful = {r.core_id or r.complaint_id: r for a, r in close if a >= params.merge}
    samples = [_core_sample(conn, org, core, alone) for core, alone in hopeful.items()]
    if not samples:
        return None
    samples.sort(key=lambda rows: (rows[0].received_at, rows[0].complaint_id))
    theirs = sign([r.text or "" for rows in samples for r in rows], params.min_shared)
    agree = agreement(np.repeat(mine.slots, len(theirs.slots), axis=0), theirs.slots).tolist()
    means, at = [], 0
    for rows in samples:
        means.append(sum(agree[at:at + len(rows)]) / len(rows))
        at += len(rows)
    mean, rows = max(zip(means, samples), key=lambda mr: mr[0])  # earliest among equals
    if mean < params.merge:
        return None
    return TemplateMatch(rows[0].template_id or template_id(rows[0].complaint_id),
                         tuple(r.complaint_id for r in rows), round(mean, 3))


def _rare_partner_match(conn: Connection, org: str, mine: Signatures, params: Params,
                        complaint_id: str | None) -> TemplateMatch | None:
    """The earliest stored text sharing at least `rare` marker grams with this one that no
    third text has (with this one stored, each such marker is in exactly two texts)."""
    markers = sorted(set(mine.markers[:, 0].tolist())) if params.rare else []
    if not markers:
        return None
    holders: dict[int, list[str]] = {}
    for marker, holder in conn.execute(
            select(complaint_rare_markers.c.marker, complaint_rare_markers.c.complaint_id)
            .where(complaint_rare_markers.c.org == org,
                   complaint_rare_markers.c.marker.in_(markers))):
        holders.setdefault(marker, []).append(holder)
    shared = Counter(others[0] for others in (
        [h for h in found if h != complaint_id] for found in holders.values())
        if len(others) == 1)
    partners = [p for p, n in shared.items() if n >= params.rare]
    if not partners:
        return None
    partner = _with_templates(conn, org, partners)[0]
    theirs = sign([partner.text or ""], params.min_shared)
    return TemplateMatch(partner.template_id or template_id(partner.complaint_id),
                         (partner.complaint_id,),
                         round(float(agreement(mine.slots, theirs.slots)[0]), 3))


def _with_templates(conn: Connection, org: str, ids: list[str]) -> list:
    """The stored complaints `ids` (text, date, cluster and core if any), earliest first."""
    found = conn.execute(
        select(complaints.c.complaint_id, complaints.c.text, complaints.c.received_at,
               complaint_templates.c.template_id, complaint_templates.c.core_id)
        .outerjoin(complaint_templates,
                   and_(complaint_templates.c.org == complaints.c.org,
                        complaint_templates.c.complaint_id == complaints.c.complaint_id))
        .where(complaints.c.org == org, complaints.c.complaint_id.in_(ids))).all()
    return sorted(found, key=lambda r: (r.received_at, r.complaint_id))


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
