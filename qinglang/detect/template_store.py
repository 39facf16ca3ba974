"""The template detector's store side: signing every stored complaint text, clustering them
(`detect.templates`) and storing the bucket index, the rare marker grams and the clusters;
and a new complaint online (`match_one`), taking the same steps against the stored bucket
index and the stored marker grams that only one or two texts have, as the latest text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from itertools import islice, repeat
from typing import Iterable

import numpy as np
from sqlalchemy import Connection, Engine, and_, bindparam, delete, select, update

from qinglang.detect.base import IDS, built_once, complaints
from qinglang.detect.templates import (SAMPLE, TEMPLATE_PREFIX, Params, cluster_signatures,
                                       long_enough, template_id)
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
    """`build_template_clusters` inside the caller's transaction."""
    ids, texts = _texts_earliest_first(conn, org, params.min_shared + SHINGLE - 1)
    signatures = sign(texts, params.min_shared)
    del texts
    clusters = cluster_signatures(signatures, band_keys(signatures), params)
    for table in (complaint_text_buckets, complaint_templates, complaint_rare_markers):
        conn.execute(delete(table).where(table.c.org == org))
    named = ids.__getitem__
    buckets = clusters.buckets.T.tolist()
    _insert_columns(conn, complaint_text_buckets, org,
                    buckets[0], map(named, buckets[1]), map(named, buckets[2]))
    markers = clusters.rare_markers.T.tolist()
    _insert_columns(conn, complaint_rare_markers, org, markers[0], map(named, markers[1]))
    members = sorted(np.flatnonzero(clusters.root >= 0).tolist(), key=named)  # key order
    _insert_columns(conn, complaint_templates, org, map(named, members),
                    map(template_id, map(named, clusters.root[members].tolist())),
                    map(named, clusters.core[members].tolist()),
                    map(round, clusters.similarity[members].tolist(), repeat(3)))
    _copy_member_facts(conn, org)
    return len(members)


def _copy_member_facts(conn: Connection, org: str) -> None:
    """Each clustered complaint's customer, date and channel copied from the complaint, in
    the store (reading them with the texts would hold them for every text, not only the
    clustered ones)."""
    of_member = and_(complaints.c.org == complaint_templates.c.org,
                     complaints.c.complaint_id == complaint_templates.c.complaint_id)
    conn.execute(update(complaint_templates).where(complaint_templates.c.org == org).values(
        {name: select(complaints.c[name]).where(of_member).scalar_subquery()
         for name in ("customer_id", "received_at", "channel")}))


def _texts_earliest_first(conn: Connection, org: str, least: int
                          ) -> tuple[list[str], list[str]]:
    """(complaint ids, texts) of the complaints of at least `least` characters (shorter
    ones can take no part), earliest first: by received_at, then id. Read through the driver
    (SQLAlchemy's parsing of a million dates took longer than the reading) and sorted here
    (SQLite's dates are ISO strings of one format: they sort as the dates do). SQLite scans
    the table in its order rather than visit the rows in the order of an index on org: one
    random page read a row (at a million complaints 1.7 CPU-s against 4.9)."""
    mark = _placeholder(conn)
    scan = " NOT INDEXED" if conn.dialect.name == "sqlite" else ""
    cursor = conn.connection.cursor()
    try:
        cursor.execute(f"SELECT received_at, complaint_id, text FROM complaints{scan}"
                       f" WHERE org = {mark} AND length(text) >= {mark}", (org, least))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    rows.sort()  # ids are unique: texts are never compared
    return [r[1] for r in rows], [r[2] for r in rows]


def _insert_columns(conn: Connection, table, org: str, *columns: Iterable) -> None:
    """Rows of `org` (the table's next columns given in its order, any after them left
    empty) inserted a page at a time through the driver's executemany: SQLAlchemy's handling
    of each row's parameters took longer than the writing itself (a million bucket rows at a
    million complaints), and so did building each row in Python."""
    mark = _placeholder(conn)
    names = [c.name for c in table.columns][:1 + len(columns)]
    sql = (f"INSERT INTO {table.name} ({', '.join(names)}) "
           f"VALUES ({', '.join([mark] * len(names))})")
    rows = zip(repeat(org), *columns)
    while page := list(islice(rows, PAGE)):
        conn.exec_driver_sql(sql, page)


def _placeholder(conn: Connection) -> str:
    """The driver's parameter mark (sqlite3: ?, psycopg: %s)."""
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


# The store: one new complaint ------------------------------------------------------------

@dataclass(frozen=True)
class TemplateMatch:
    """The template cluster one new text joins (None: none), named as the batch would name it,
    and the stored complaints it was matched with; with what it joins: stored clusters (by
    id) and stored complaints in no cluster. A text like one cluster that copies a passage of
    another joins both: the batch makes them one cluster, named by its earliest complaint."""

    template_id: str | None
    matched: tuple[str, ...]
    similarity: float
    clusters: tuple[str, ...] = ()
    alone: tuple[str, ...] = ()


NO_MATCH = TemplateMatch(None, (), 0.0)


def match_one(conn: Connection, org: str, text: str, customer_id: str | None = None,
              received_at: datetime | None = None, rules: RuleSet | None = None,
              complaint_id: str | None = None) -> TemplateMatch:
    """The cluster a new complaint's text joins, decided as the batch decides it for a text
    later than every stored one: its most similar candidate (the first and the latest text
    of each of its buckets) if close enough, else the stored core its candidates resemble
    most on average; and every stored text it shares a passage with that no other text has.
    `complaint_id` names the complaint when it is itself stored (re-scored): it is not its
    own partner. One indexed lookup per step and the signing of a few texts: milliseconds.
    Not seen online: a passage the new text shares with two stored texts is no longer rare
    once it is stored, so a batch run may undo the link it made between those two."""
    params = params_of(rules or default_ruleset())
    mine = sign([text], params.min_shared)
    if not long_enough(mine, params)[0]:
        return NO_MATCH
    similar = _similar_match(conn, org, mine, params)
    partners = _rare_partners(conn, org, mine, params, complaint_id)
    if similar is None and not partners:
        return NO_MATCH
    return _joined(conn, org, mine, params, similar, partners)


def _joined(conn: Connection, org: str, mine: Signatures, params: Params,
            similar: tuple[list, float] | None, partners: list) -> TemplateMatch:
    """What a text joins through its similar match (stored rows, similarity) and its
    passage partners (stored rows, earliest first)."""
    similar_rows = similar[0] if similar else []
    joined = [*similar_rows[:1], *partners]  # a row of each group joined
    clusters = tuple(sorted({r.template_id for r in joined if r.template_id}))
    alone = tuple(sorted({r.complaint_id for r in joined if not r.template_id}))
    matched = tuple(dict.fromkeys(r.complaint_id for r in [*similar_rows, *partners]))
    if similar:
        similarity = similar[1]
    else:
        theirs = sign([partners[0].text or ""], params.min_shared)
        similarity = round(float(agreement(mine.slots, theirs.slots)[0]), 3)
    if len(clusters) + len(alone) == 1:
        name = clusters[0] if clusters else template_id(alone[0])
    else:  # the earliest complaint of all it joins names the cluster
        roots = [c.removeprefix(TEMPLATE_PREFIX) for c in clusters]
        name = template_id(_with_templates(conn, org, [*roots, *alone])[0].complaint_id)
    return TemplateMatch(name, matched, similarity, clusters, alone)


def _similar_match(conn: Connection, org: str, mine: Signatures, params: Params
                   ) -> tuple[list, float] | None:
    """The core and merge steps of the batch for one text against the bucket index: the
    stored rows it joins (its closest text, or the first texts of a core) and how similar."""
    buckets = [int(k) for k in band_keys(mine)[0]]
    leaders = sorted({i for r in conn.execute(_bucket_leaders(org), {"ids": buckets})
                      for i in r})
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
        return [leader], round(best, 3)
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
    return rows, round(mean, 3)


def _rare_partners(conn: Connection, org: str, mine: Signatures, params: Params,
                   complaint_id: str | None) -> list:
    """The stored texts (rows, earliest first) sharing at least `rare` marker grams with this
    one that no third text has (with this one stored, each such marker is in exactly two
    texts)."""
    markers = sorted(set(mine.markers[:, 0].tolist())) if params.rare else []
    if not markers:
        return []
    holders: dict[int, list[str]] = {}
    for marker, holder in conn.execute(_marker_holders(org), {"ids": markers}):
        holders.setdefault(marker, []).append(holder)
    shared = Counter(others[0] for others in (
        [h for h in found if h != complaint_id] for found in holders.values())
        if len(others) == 1)
    partners = [p for p, n in shared.items() if n >= params.rare]
    return _with_templates(conn, org, partners) if partners else []


def _with_templates(conn: Connection, org: str, ids: list[str]) -> list:
    """The stored complaints `ids` (text, date, cluster and core if any), earliest first."""
    found = conn.execute(_texts_with_templates(org), {"ids": ids}).all()
    return sorted(found, key=lambda r: (r.received_at, r.complaint_id))


def _core_sample(conn: Connection, org: str, core: str, alone) -> list:
    """The first SAMPLE texts of a stored core (a text in no cluster is a core alone)."""
    rows = conn.execute(_first_of_core(org), {"core": core}).all()
    return rows or [alone]


@built_once
def _bucket_leaders(org: str):
    """(first, latest) complaint of the buckets bound to IDS."""
    buckets = complaint_text_buckets.c
    return select(buckets.complaint_id, buckets.latest_id).where(buckets.org == org,
                                                                 buckets.bucket.in_(IDS))


@built_once
def _marker_holders(org: str):
    """(marker, complaint) of the rare markers bound to IDS."""
    markers = complaint_rare_markers.c
    return select(markers.marker, markers.complaint_id).where(markers.org == org,
                                                              markers.marker.in_(IDS))


@built_once
def _texts_with_templates(org: str):
    """The complaints bound to IDS with their text, date, cluster and core if any."""
    return (
        select(complaints.c.complaint_id, complaints.c.text, complaints.c.received_at,
               complaint_templates.c.template_id, complaint_templates.c.core_id)
        .outerjoin(complaint_templates,
                   and_(complaint_templates.c.org == complaints.c.org,
                        complaint_templates.c.complaint_id == complaints.c.complaint_id))
        .where(complaints.c.org == org, complaints.c.complaint_id.in_(IDS)))


@built_once
def _first_of_core(org: str):
    """The first SAMPLE complaints (id, text, date, cluster) of the core bound to :core."""
    members = complaint_templates.c
    return (
        select(complaints.c.complaint_id, complaints.c.text, complaints.c.received_at,
               members.template_id)
        .select_from(complaint_templates.join(complaints, and_(
            complaints.c.org == members.org, complaints.c.complaint_id == members.complaint_id)))
        .where(members.org == org, members.core_id == bindparam("core"))
        .order_by(members.received_at, members.complaint_id).limit(SAMPLE))
