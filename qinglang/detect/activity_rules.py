"""Identification rules on complaint activity and materials (domain.md 3.1, 4.7, 5.1, 5.4)."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from sqlalchemy import Connection, and_, func, select

from qinglang.detect.base import Hit, complaints, hits_for_shared_keys, within_days
from qinglang.detect.images import near_pairs
from qinglang.rules.schema import RuleSet
from qinglang.store.tables import attachments


def high_frequency(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """4.7: the customer made many complaints within a month up to this one."""
    days, least = rules.param("4.7", "window_days"), rules.param("4.7", "min_complaints")
    for complaint_id, count, _ in _window(conn, org, days,
                                          func.count(), func.count() >= least):
        yield Hit(complaint_id, "4.7", {"complaints_in_window": count, "window_days": days})


def several_channels(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """5.4: the customer complained through several channels within the window."""
    days, least = rules.param("5.4", "window_days"), rules.param("5.4", "min_channels")
    other = complaints.alias("earlier")
    channels = func.count(other.c.channel.distinct())
    for complaint_id, count, _ in _window(conn, org, days, channels, channels >= least, other):
        yield Hit(complaint_id, "5.4", {"channels_in_window": count, "window_days": days})


def reused_attachment(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """5.1: a file identical to, or a perceptual near copy of, one attached to another
    customer's complaint. Copies are counted per file, not chained through third files, so
    one complaint's verdict depends only on the files that resemble its own."""
    owners = conn.execute(
        select(attachments.c.complaint_id, attachments.c.file_name, attachments.c.sha256,
               attachments.c.phash64, attachments.c.phash256, complaints.c.customer_id)
        .join(complaints, and_(complaints.c.org == attachments.c.org,
                               complaints.c.complaint_id == attachments.c.complaint_id))
        .where(attachments.c.org == org, attachments.c.sha256.is_not(None),
               complaints.c.customer_id.is_not(None))
        .order_by(attachments.c.complaint_id, attachments.c.file_name)).all()
    copies = _copies(owners, rules)
    least = rules.param("5.1", "min_customers")
    files: dict[str, dict] = defaultdict(dict)
    for i, (complaint_id, file_name, *_) in enumerate(owners):
        customers = {owners[j].customer_id for j in copies[i]} | {owners[i].customer_id}
        if len(customers) >= least:
            files[complaint_id][file_name] = len(customers)
    return (Hit(c, "5.1", {"files": f}) for c, f in files.items())


def _copies(owners, rules: RuleSet) -> dict[int, set[int]]:
    """For each attachment (by position), the others that are the same file or look the same."""
    copies: dict[int, set[int]] = defaultdict(set)
    by_hash: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(owners):
        by_hash[row.sha256].append(i)
    for group in by_hash.values():
        for i in group:
            copies[i].update(group)
    imaged = [i for i, row in enumerate(owners) if row.phash64]
    pairs = near_pairs([owners[i].phash64 for i in imaged],
                       [owners[i].phash256 for i in imaged],
                       rules.param("5.1", "candidate_bits"), rules.param("5.1", "max_bits"))
    for a, b in pairs:
        copies[imaged[a]].add(imaged[b])
        copies[imaged[b]].add(imaged[a])
    return copies


def _window(conn: Connection, org: str, days: float, measure, condition, other=None):
    """(complaint_id, measure, customer_id) of complaints whose customer's complaints within
    `days` before them (themselves included) meet `condition`."""
    this = complaints.alias("this")
    other = other if other is not None else complaints.alias("earlier")
    query = (
        select(this.c.complaint_id, measure, this.c.customer_id)
        .join(other, and_(other.c.org == this.c.org, other.c.customer_id == this.c.customer_id,
                          within_days(this.c.received_at, other.c.received_at, days,
                                      conn.dialect.name)))
        .where(this.c.org == org, this.c.customer_id.is_not(None))
        .group_by(this.c.complaint_id, this.c.customer_id)
        .having(condition)
    )
    return conn.execute(query)


def shared_mailing_building(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """3.1: letters of different customers come from one building (rooms may differ); a fact
    about the complainants, so every complaint of theirs carries it."""
    key = complaints.c.mailing_address_building_key
    shared = (select(key).where(complaints.c.org == org, key.is_not(None),
                                complaints.c.customer_id.is_not(None))
              .group_by(key).having(func.count(complaints.c.customer_id.distinct())
                                    >= rules.param("3.1", "min_customers")))
    pairs = conn.execute(select(complaints.c.customer_id, key)
                         .where(complaints.c.org == org, key.in_(shared)).distinct())
    return hits_for_shared_keys(conn, org, "3.1", pairs, "buildings")
