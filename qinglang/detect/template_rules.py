"""The template rules (domain.md 3.2 and 4.6) over the clusters `detect.templates` builds:
3.2 for the complaints of a cluster spanning several customers, 4.6 for those with other
customers' copies within the window — over the whole store in batch, and for one new
complaint online.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Iterator

from sqlalchemy import (Connection, Engine, and_, bindparam, case, distinct, func, literal,
                        select)
from sqlalchemy.sql import Select

from qinglang.detect.base import IDS, Hit, built_once, complaints
from qinglang.detect.template_store import (TemplateMatch, cluster_templates, match_one,
                                            params_of)
from qinglang.rules.schema import RuleSet, default_ruleset
from qinglang.store.tables_templates import complaint_templates

EVIDENCE_LIMIT = 10  # other complaints named in a 4.6 hit


@dataclass(frozen=True)
class Member:
    complaint_id: str
    customer_id: str | None
    received_at: datetime
    channel: str


def template_hits(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """3.2 and 4.6 over the whole store: clusters rebuilt, then judged one by one."""
    cluster_templates(conn, org, params_of(rules))
    query = (select(complaint_templates.c.template_id, *_member_columns())
             .where(complaint_templates.c.org == org)
             .order_by(complaint_templates.c.template_id))
    template, members = None, []
    for row in conn.execute(query):
        if row[0] != template:
            yield from cluster_hits(template, members, rules)
            template, members = row[0], []
        members.append(Member(*row[1:]))
    yield from cluster_hits(template, members, rules)


def online_template_hits(conn: Connection, org: str, rules: RuleSet, new: Member, text: str
                         ) -> tuple[TemplateMatch, list[Hit]]:
    """3.2 and 4.6 for one new complaint against the stored clusters: what the batch gives
    that complaint once it is stored and the clusters rebuilt. A cluster may hold thousands
    of letters: it is counted in the store, and only its complaints within the 4.6 window of
    the new one are read."""
    found = match_one(conn, org, text, new.customer_id, new.received_at, rules,
                      new.complaint_id)
    if found.template_id is None:
        return found, []
    members, size = _joined_members(conn, org, rules, found, new)
    return found, list(cluster_hits(found.template_id, [*members, new], rules,
                                    only=new.complaint_id, size=size))


def _joined_members(conn: Connection, org: str, rules: RuleSet, found: TemplateMatch,
                    new: Member) -> tuple[list[Member], tuple[int, int]]:
    """The stored members of what the new complaint joins that its 4.6 window can hold (the
    stored complaints in no cluster all, the clusters' within the window), and the size of
    the cluster it makes (complaints, customers), itself included."""
    statements = _cluster_statements(org)
    alone = [Member(*r) for r in conn.execute(
        statements.matched, {"new": new.complaint_id, "ids": list(found.alone)})
        ] if found.alone else []
    others = {_who(m) for m in alone} | {_who(new)}
    near, stored, customers = [], 0, 0
    if found.clusters:
        params = {"templates": list(found.clusters), "new": new.complaint_id}
        days = rules.param("4.6", "window_days")
        first_day = datetime.combine(new.received_at.date() - timedelta(days=days), time.min)
        after_last = datetime.combine(new.received_at.date() + timedelta(days=days + 1), time.min)
        near = [Member(*r) for r in conn.execute(
            statements.near, {**params, "first_day": first_day, "after_last": after_last})]
        stored, customers = conn.execute(
            statements.size, {**params, "others": sorted(others)}).one()
    return near + alone, (stored + len(alone) + 1, customers + len(others))


@dataclass(frozen=True)
class _ClusterStatements:
    """What online scoring asks of the clusters bound to :templates, without the complaint
    bound to :new (a re-scored one): their members between :first_day and :after_last, and
    their (complaints, customers but those bound to :others); and the stored complaints bound
    to IDS, for what it joins outside any cluster."""

    near: Select
    size: Select
    matched: Select


@built_once
def _cluster_statements(org: str) -> _ClusterStatements:
    members = complaint_templates.c
    in_clusters = and_(members.org == org,
                       members.template_id.in_(bindparam("templates", expanding=True)),
                       members.complaint_id != bindparam("new"))
    who = func.coalesce(members.customer_id, literal("complaint:") + members.complaint_id)
    counted = case((who.not_in(bindparam("others", expanding=True)), who))
    return _ClusterStatements(
        near=select(*_member_columns()).where(in_clusters,
                                              members.received_at >= bindparam("first_day"),
                                              members.received_at < bindparam("after_last")),
        size=select(func.count(), func.count(distinct(counted))).where(in_clusters),
        matched=select(*_stored_member_columns()).where(
            complaints.c.org == org, complaints.c.complaint_id.in_(IDS),
            complaints.c.complaint_id != bindparam("new")))


def _member_columns():
    """A member's columns as the last analysis copied them into its cluster's rows."""
    members = complaint_templates.c
    return members.complaint_id, members.customer_id, members.received_at, members.channel


def _stored_member_columns():
    return (complaints.c.complaint_id, complaints.c.customer_id, complaints.c.received_at,
            complaints.c.channel)


def cluster_hits(template: str | None, members: list[Member], rules: RuleSet,
                 only: str | None = None, size: tuple[int, int] | None = None
                 ) -> Iterator[Hit]:
    """3.2 for every complaint (of the rule's channels) of a cluster that spans at least
    min_customers customers; 4.6 for every complaint with complaints of at least
    min_customers customers (its own included) in the cluster within window_days of it.
    A complaint without a customer counts as a customer of its own. With `only`, the hits of
    that one complaint (online scoring), given the cluster's `size` (complaints, customers)
    and `members` enough for its window."""
    if template is None:
        return
    complaints_in, customers = size or (len(members), len({_who(m) for m in members}))
    if customers < rules.param("3.2", "min_customers"):
        return
    channels = set(rules.param("3.2", "channels"))
    for m in members:
        if m.channel in channels and only in (None, m.complaint_id):
            yield Hit(m.complaint_id, "3.2", {"template_id": template,
                                              "complaints": complaints_in,
                                              "customers": customers})
    yield from _same_wording_in_window(template, members, rules, only)


def _same_wording_in_window(template: str, members: list[Member], rules: RuleSet,
                            only: str | None) -> Iterator[Hit]:
    """The window of each complaint slides over the cluster in date order with a count of the
    customers inside it: linear in the cluster, which may hold thousands of letters."""
    days, least = rules.param("4.6", "window_days"), rules.param("4.6", "min_customers")
    ordered = sorted(members, key=lambda m: (m.received_at, m.complaint_id))
    day = [m.received_at.date().toordinal() for m in ordered]
    inside: Counter[str] = Counter()
    start = end = 0
    for k, m in enumerate(ordered):
        while end < len(ordered) and day[end] <= day[k] + days:
            inside[_who(ordered[end])] += 1
            end += 1
        while day[start] < day[k] - days:
            leaving = _who(ordered[start])
            inside[leaving] -= 1
            if not inside[leaving]:
                del inside[leaving]
            start += 1
        if len(inside) >= least and only in (None, m.complaint_id):
            yield Hit(m.complaint_id, "4.6", {
                "template_id": template, "window_days": days, "customers": len(inside),
                "others": _others(ordered, start, end, _who(m))})


def _others(ordered: list[Member], start: int, end: int, who: str) -> list[dict]:
    """The first complaints of other customers in a window, as evidence."""
    shown = []
    for o in ordered[start:end]:
        if _who(o) != who:
            shown.append({"complaint_id": o.complaint_id, "customer_id": o.customer_id,
                          "date": o.received_at.date().isoformat()})
            if len(shown) == EVIDENCE_LIMIT:
                break
    return shown


def _who(m: Member) -> str:
    return m.customer_id or f"complaint:{m.complaint_id}"


def template_ids(engine: Engine, org: str, rules: RuleSet | None = None) -> dict[str, str]:
    """complaint id → id of its template cluster, for clusters spanning at least
    min_customers customers (the export's template_id column)."""
    least = (rules or default_ruleset()).param("3.2", "min_customers")
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with engine.connect() as conn:
        for template, complaint_id, customer_id in conn.execute(
                select(complaint_templates.c.template_id, complaint_templates.c.complaint_id,
                       complaint_templates.c.customer_id)
                .where(complaint_templates.c.org == org)):
            found[template].append((complaint_id, customer_id or complaint_id))
    return {complaint_id: template for template, rows in found.items()
            if len({who for _, who in rows}) >= least for complaint_id, _ in rows}
